// Text features: character unigram and bigram shingles of a normalised text and their IDF-weighted
// Dice overlap. Chinese has no word boundaries; bigrams are the standard unit for short-text
// similarity, and unigrams (down-weighted by their low IDF) keep paraphrases that share characters
// but few bigrams (满溢 / 满了) from scoring zero.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace routing_core {

using Shingle = std::uint64_t;

// Sorted, unique unigram and bigram shingles over runs of CJK characters, letters and digits;
// punctuation and spaces break runs (no bigram spans them).
std::vector<Shingle> shingles(std::u32string_view normalised_text);

// weighted_dice over the shingles for which `skip` is false (e.g. without the place names, so that the
// text feature says what the problem is and the place feature where it is).
template <typename Weight, typename Skip>
double weighted_dice(const std::vector<Shingle>& a, const std::vector<Shingle>& b, const Weight& weight,
                     const Skip& skip) {
    const auto w = [&](Shingle s) { return skip(s) ? 0.0 : weight(s); };
    double wa = 0.0;
    double wb = 0.0;
    double common = 0.0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i] < b[j])) {
            wa += w(a[i++]);
        } else if (i == a.size() || b[j] < a[i]) {
            wb += w(b[j++]);
        } else {
            const double x = w(a[i]);
            wa += x;
            wb += x;
            common += x;
            ++i;
            ++j;
        }
    }
    const double total = wa + wb;
    return total > 0.0 ? std::min(1.0, 2.0 * common / total) : 0.0;
}

// weighted_dice of `a` and `b` over the shingles in neither sorted set `skip_a` nor `skip_b`: the same
// value as weighted_dice(a, b, weight, s ∈ skip_a ∪ skip_b), in one linear pass over the four sets
// (no per-shingle search), because every set is sorted and the merge visits shingles in order.
template <typename Weight>
double weighted_dice_skipping(const std::vector<Shingle>& a, const std::vector<Shingle>& b,
                              const std::vector<Shingle>& skip_a, const std::vector<Shingle>& skip_b,
                              const Weight& weight) {
    std::size_t p = 0;
    std::size_t q = 0;
    const auto skipped = [&](Shingle s) {
        while (p < skip_a.size() && skip_a[p] < s) ++p;
        while (q < skip_b.size() && skip_b[q] < s) ++q;
        return (p < skip_a.size() && skip_a[p] == s) || (q < skip_b.size() && skip_b[q] == s);
    };
    const auto w = [&](Shingle s) { return skipped(s) ? 0.0 : weight(s); };
    double wa = 0.0;
    double wb = 0.0;
    double common = 0.0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i] < b[j])) {
            wa += w(a[i++]);
        } else if (i == a.size() || b[j] < a[i]) {
            wb += w(b[j++]);
        } else {
            const double x = w(a[i]);
            wa += x;
            wb += x;
            common += x;
            ++i;
            ++j;
        }
    }
    const double total = wa + wb;
    return total > 0.0 ? std::min(1.0, 2.0 * common / total) : 0.0;
}

// Weighted Dice coefficient of two sorted shingle sets: 2·w(A∩B) / (w(A) + w(B)), in [0, 1]; 0 when
// both are empty. `weight` gives each shingle's weight (e.g. its IDF); it must be positive.
template <typename Weight>
double weighted_dice(const std::vector<Shingle>& a, const std::vector<Shingle>& b, const Weight& weight) {
    return weighted_dice(a, b, weight, [](Shingle) { return false; });
}

// Weighted containment of `part` in the union of the sorted sets `a` and `b`: w(part ∩ (a ∪ b)) / w(part),
// in [0, 1]; 0 when `part` is empty. Used for places: "崔岙花园12幢" is contained in
// "海曙区章水镇崔岙花园12幢对面", and an address may be named in the other report's text instead.
// weighted_containment over the shingles of `part` for which `skip` is false.
template <typename Weight, typename Skip>
double weighted_containment(const std::vector<Shingle>& part, const std::vector<Shingle>& a,
                            const std::vector<Shingle>& b, const Weight& weight, const Skip& skip) {
    double total = 0.0;
    double found = 0.0;
    for (Shingle s : part) {
        if (skip(s)) continue;
        const double w = weight(s);
        total += w;
        if (std::binary_search(a.begin(), a.end(), s) || std::binary_search(b.begin(), b.end(), s)) found += w;
    }
    return total > 0.0 ? std::min(1.0, found / total) : 0.0;
}

template <typename Weight>
double weighted_containment(const std::vector<Shingle>& part, const std::vector<Shingle>& a,
                            const std::vector<Shingle>& b, const Weight& weight) {
    return weighted_containment(part, a, b, weight, [](Shingle) { return false; });
}

}  // namespace routing_core
