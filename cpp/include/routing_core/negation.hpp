// Negation cues: a term found just after a cue ("没有起火", "不是噪音", "未发现明火") is negated and does not
// count for classification or for routing rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "routing_core/pattern_matcher.hpp"

namespace routing_core {

// The most characters a negation window may span (RuleSet refuses more): a cue further from its term than
// a short clause is rarely its negation.
constexpr std::uint32_t max_negation_window = 16;

class NegationCues {
public:
    NegationCues() = default;
    // `cues` are normalised like report text; `window` is how many characters may stand between the end
    // of a cue and the start of the term it negates (0: the term must follow the cue directly).
    NegationCues(const std::vector<std::string>& cues, std::uint32_t window);

    // The cues found in one normalised text, for repeated negated() queries.
    class Scan {
    public:
        // Whether a term starting at code point `begin` is negated: a cue ends at most `window` characters
        // before it, with no clause punctuation (，。；！？ and ASCII equivalents) in between.
        bool negated(std::uint32_t begin) const noexcept;

    private:
        friend class NegationCues;
        std::vector<std::uint32_t> cue_ends_;  // ascending
        std::vector<std::uint32_t> breaks_;    // positions of clause punctuation, ascending
        std::uint32_t window_ = 0;
    };

    Scan scan(std::u32string_view normalised_text) const;
    bool empty() const noexcept { return count_ == 0; }

private:
    PatternMatcher matcher_;
    std::uint32_t window_ = 0;
    std::size_t count_ = 0;
};

}  // namespace routing_core
