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

// Weighted Dice coefficient of two sorted shingle sets: 2·w(A∩B) / (w(A) + w(B)), in [0, 1]; 0 when
// both are empty. `weight` gives each shingle's weight (e.g. its IDF); it must be positive.
template <typename Weight>
double weighted_dice(const std::vector<Shingle>& a, const std::vector<Shingle>& b, const Weight& weight) {
    double wa = 0.0;
    double wb = 0.0;
    double common = 0.0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i] < b[j])) {
            wa += weight(a[i++]);
        } else if (i == a.size() || b[j] < a[i]) {
            wb += weight(b[j++]);
        } else {
            const double w = weight(a[i]);
            wa += w;
            wb += w;
            common += w;
            ++i;
            ++j;
        }
    }
    const double total = wa + wb;
    return total > 0.0 ? std::min(1.0, 2.0 * common / total) : 0.0;
}

}  // namespace routing_core
