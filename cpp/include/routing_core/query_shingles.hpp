// A report's text and place shingles indexed once for the many candidates scored against it: each
// shingle's position in the text and in the place, found by one probe of a small open-addressing table
// (it fits in the first-level cache) instead of a merge of sorted sets for every candidate. A merge
// mispredicts a branch every step or two; a probe does not depend on the step before it.
//
// Every measure below is the one of the sorted-set functions in text_similarity.hpp to the bit: the
// same weights are added in the same order (the sets' sorted order), and the skipped shingles add
// nothing (where those functions add 0.0, which changes no positive sum).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "routing_core/fibonacci_slot.hpp"
#include "routing_core/text_similarity.hpp"

namespace routing_core {

class QueryShingles {
public:
    // Indexes `text` and `place` (each sorted, no repeats) with their weights, which must stay valid
    // (and unchanged) while the measures below are taken.
    void assign(ShingleSpan text, const double* text_weight, ShingleSpan place, const double* place_weight);

    // weighted_dice_skipping(text, text weights, other, other_weight, place, other_place): the text's
    // weighted Dice against `other` over the shingles in neither place. `marks` is the caller's scratch
    // (one per thread), left as it was found (all zero).
    double dice(ShingleSpan other, const double* other_weight, ShingleSpan other_place,
                std::vector<char>& marks) const;

    // weighted_containment_sorted(part, part_weight, nothing skipped, place, text): how much of `part`
    // (e.g. an event's place) the report names, in its address or its text.
    double contained(ShingleSpan part, const double* part_weight) const;

    // How much of the text, its places left out, the union of `a` and `b` (e.g. all an event's reports
    // said) holds, by one probe for each shingle of a and b: what weighted_containment_sorted(text,
    // text weights, the text's places skipped, a, b) gives. Worth it when a and b are not much longer
    // than the query (the galloping search is, for a long one). `marks` as for dice().
    double covered(ShingleSpan a, ShingleSpan b, std::vector<char>& marks) const;

    // The text's shingles and the place's, counted apart (a shingle in both counts twice).
    std::size_t size() const noexcept { return text_.size() + place_.size(); }
    // Whether text[i] is in the place too.
    bool text_is_place(std::size_t i) const noexcept { return text_is_place_[i] != 0; }

private:
    struct Entry {
        Shingle key = 0;
        std::int32_t text = -1;   // position in the text, or -1
        std::int32_t place = -1;  // position in the place, or -1
        bool empty() const noexcept { return text < 0 && place < 0; }  // (an entry has one at least)
    };
    // The slot holding `shingle`, or the empty one where it would go.
    std::size_t probe(Shingle shingle) const noexcept {
        std::size_t k = fibonacci_slot(shingle, mask_);
        while (!slots_[k].empty() && slots_[k].key != shingle) k = (k + 1) & mask_;
        return k;
    }
    const Entry* find(Shingle shingle) const noexcept {
        const Entry& e = slots_[probe(shingle)];
        return e.empty() ? nullptr : &e;
    }
    Entry& insert(Shingle shingle);
    // Marks the text positions of the shingles of `set` that the text has.
    void mark_text(ShingleSpan set, std::vector<char>& marks) const;

    ShingleSpan text_;
    ShingleSpan place_;
    const double* text_weight_ = nullptr;
    const double* place_weight_ = nullptr;
    std::vector<char> text_is_place_;  // by text position
    std::vector<Entry> slots_;         // at most a quarter full
    std::vector<std::uint32_t> used_;  // the slots taken
    std::size_t mask_ = 0;
};

}  // namespace routing_core
