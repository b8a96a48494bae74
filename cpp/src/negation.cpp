#include "routing_core/negation.hpp"

#include <algorithm>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {
namespace {

bool is_clause_break(char32_t c) noexcept {
    switch (c) {
        case U'，': case U'。': case U'；': case U'！': case U'？': case U'、':
        case U',': case U'.': case U';': case U'!': case U'?':
            return true;
        default:
            return false;
    }
}

}  // namespace

NegationCues::NegationCues(const std::vector<std::string>& cues, std::uint32_t window) : window_(window) {
    for (const auto& cue : cues) {
        const std::u32string pattern = normalise_text(utf8::decode(cue));
        if (pattern.empty()) continue;
        matcher_.add(pattern);
        ++count_;
    }
    matcher_.build();
}

NegationCues::Scan NegationCues::scan(std::u32string_view text) const {
    Scan s;
    s.window_ = window_;
    if (count_ == 0) return s;
    for (const PatternMatch& m : matcher_.find_all(text)) s.cue_ends_.push_back(m.end);
    if (s.cue_ends_.empty()) return s;
    std::sort(s.cue_ends_.begin(), s.cue_ends_.end());
    for (std::uint32_t i = 0; i < text.size(); ++i) {
        if (is_clause_break(text[i])) s.breaks_.push_back(i);
    }
    return s;
}

bool NegationCues::Scan::negated(std::uint32_t begin) const noexcept {
    // The last cue ending at or before `begin`.
    auto it = std::upper_bound(cue_ends_.begin(), cue_ends_.end(), begin);
    if (it == cue_ends_.begin()) return false;
    const std::uint32_t cue_end = *std::prev(it);
    if (begin - cue_end > window_) return false;
    // No clause break in [cue_end, begin).
    const auto brk = std::lower_bound(breaks_.begin(), breaks_.end(), cue_end);
    return brk == breaks_.end() || *brk >= begin;
}

}  // namespace routing_core
