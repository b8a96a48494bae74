// What an event's reports said, as shingle sets packed in one buffer: the texts and places of its
// representative reports, and the vocabulary of all of them. Scoring a candidate reads them all;
// packed, they are one allocation read front to back, not a vector of vectors of them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "routing_core/text_similarity.hpp"

namespace routing_core {

class EventShingles {
public:
    // The most reports whose text and place an event keeps: its first and the latest ones.
    static constexpr std::size_t max_texts = 4;

    EventShingles() = default;  // none: no report yet
    // The event's first report: its text's and its address string's shingles.
    EventShingles(ShingleSpan text, ShingleSpan place);
    // As a snapshot stored them. Throws std::invalid_argument when the counts of texts and places
    // differ, exceed max_texts, there is a vocabulary but no text, or a set is not sorted.
    EventShingles(const std::vector<std::vector<Shingle>>& texts,
                  const std::vector<std::vector<Shingle>>& places, const std::vector<Shingle>& vocabulary);
    EventShingles(EventShingles&&) noexcept = default;
    EventShingles& operator=(EventShingles&&) noexcept = default;

    // A merged report: kept as the latest text (replacing the latest once max_texts are kept; the first
    // stays), and added to the vocabulary unless it holds `vocabulary_limit` shingles already.
    void add(ShingleSpan text, ShingleSpan place, std::size_t vocabulary_limit);

    std::size_t texts() const noexcept { return texts_; }
    ShingleSpan text(std::size_t k) const noexcept { return run(2 * k); }
    ShingleSpan place(std::size_t k) const noexcept { return run(2 * k + 1); }
    // Text and place shingles of all its reports (capped), sorted; empty while the event has one
    // report (text(0) and place(0) say it all: most events never get a second report).
    ShingleSpan vocabulary() const noexcept { return run(2 * texts_); }
    const Shingle* data() const noexcept { return all_.get(); }

    std::size_t heap_bytes() const noexcept { return ends_[2 * texts_] * sizeof(Shingle); }

private:
    // Runs: text 0, place 0, text 1, place 1, … then the vocabulary; ends_[r] is where run r ends.
    ShingleSpan run(std::size_t r) const noexcept {
        const std::uint32_t begin = r == 0 ? 0 : ends_[r - 1];
        return {all_.get() + begin, ends_[r] - begin};
    }
    void pack(const std::vector<ShingleSpan>& runs);

    std::unique_ptr<Shingle[]> all_;
    std::array<std::uint32_t, 2 * max_texts + 1> ends_{};
    std::uint32_t texts_ = 0;
};

}  // namespace routing_core
