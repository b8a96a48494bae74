#include "routing_core/event_shingles.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>

namespace routing_core {

namespace {

std::vector<Shingle> set_union(ShingleSpan a, ShingleSpan b) {
    std::vector<Shingle> out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

}  // namespace

EventShingles::EventShingles(ShingleSpan text, ShingleSpan place) { pack({text, place, {}}); }

EventShingles::EventShingles(const std::vector<std::vector<Shingle>>& texts,
                             const std::vector<std::vector<Shingle>>& places,
                             const std::vector<Shingle>& vocabulary) {
    if (texts.size() != places.size()) {
        throw std::invalid_argument(std::to_string(texts.size()) + " texts but " +
                                    std::to_string(places.size()) + " places");
    }
    if (texts.size() > max_texts) {
        throw std::invalid_argument(std::to_string(texts.size()) + " texts, more than " +
                                    std::to_string(max_texts));
    }
    if (texts.empty() && !vocabulary.empty()) throw std::invalid_argument("a vocabulary but no text");
    std::vector<ShingleSpan> runs;
    for (std::size_t k = 0; k < texts.size(); ++k) {
        runs.emplace_back(texts[k]);
        runs.emplace_back(places[k]);
    }
    runs.emplace_back(vocabulary);
    // Scoring merges them as sorted sets.
    const auto sorted = [](ShingleSpan r) { return std::is_sorted(r.begin(), r.end()); };
    if (!std::all_of(runs.begin(), runs.end(), sorted)) {
        throw std::invalid_argument("unsorted shingles");
    }
    pack(runs);
}

void EventShingles::add(ShingleSpan text, ShingleSpan place, std::size_t vocabulary_limit) {
    std::vector<ShingleSpan> runs;
    const std::size_t kept = std::min<std::size_t>(texts_, max_texts - 1);
    for (std::size_t k = 0; k < kept; ++k) {
        runs.push_back(this->text(k));
        runs.push_back(this->place(k));
    }
    runs.push_back(text);
    runs.push_back(place);
    // The vocabulary starts with the first report's text and place when a second report comes.
    std::vector<Shingle> said(vocabulary().begin(), vocabulary().end());
    const auto add_to_vocabulary = [&](ShingleSpan a, ShingleSpan b) {
        if (said.size() < vocabulary_limit) said = set_union(said, set_union(a, b));
    };
    if (said.empty()) add_to_vocabulary(runs[0], runs[1]);
    add_to_vocabulary(text, place);
    runs.emplace_back(said);
    pack(runs);  // copies the runs (some are in the old buffer) before it lets that go
}

void EventShingles::pack(const std::vector<ShingleSpan>& runs) {
    std::size_t total = 0;
    for (const ShingleSpan& r : runs) total += r.size();
    if (total > std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("an event would keep 2^32 shingles or more");
    }
    // Exactly the size: an event keeps its shingles while it can match, with no room to spare.
    std::unique_ptr<Shingle[]> all(total == 0 ? nullptr : new Shingle[total]);
    std::array<std::uint32_t, 2 * max_texts + 1> ends{};
    std::size_t at = 0;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        std::copy(runs[r].begin(), runs[r].end(), all.get() + at);
        at += runs[r].size();
        ends[r] = static_cast<std::uint32_t>(at);
    }
    all_ = std::move(all);
    ends_ = ends;
    texts_ = static_cast<std::uint32_t>((runs.size() - 1) / 2);
}

}  // namespace routing_core
