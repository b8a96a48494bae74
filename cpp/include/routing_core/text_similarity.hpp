// Text features: character unigram and bigram shingles of a normalised text and their IDF-weighted
// Dice overlap. Chinese has no word boundaries; bigrams are the standard unit for short-text
// similarity, and unigrams (down-weighted by their low IDF) keep paraphrases that share characters
// but few bigrams (满溢 / 满了) from scoring zero.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace routing_core {

using Shingle = std::uint64_t;

// A sorted shingle set someone else owns, read in place: a vector's, or a run of an event's packed
// shingles (EventShingles). Valid while the owner neither changes nor goes.
class ShingleSpan {
public:
    constexpr ShingleSpan() noexcept = default;
    constexpr ShingleSpan(const Shingle* data, std::size_t size) noexcept : data_(data), size_(size) {}
    ShingleSpan(const std::vector<Shingle>& v) noexcept : data_(v.data()), size_(v.size()) {}  // NOLINT: implicit

    const Shingle* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const Shingle* begin() const noexcept { return data_; }
    const Shingle* end() const noexcept { return data_ + size_; }
    Shingle operator[](std::size_t i) const noexcept { return data_[i]; }

    friend bool operator==(ShingleSpan a, ShingleSpan b) noexcept {
        return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
    }
    friend bool operator!=(ShingleSpan a, ShingleSpan b) noexcept { return !(a == b); }

private:
    const Shingle* data_ = nullptr;
    std::size_t size_ = 0;
};

// Sorted, unique unigram and bigram shingles over runs of CJK characters, letters and digits;
// punctuation and spaces break runs (no bigram spans them).
std::vector<Shingle> shingles(std::u32string_view normalised_text);

// weighted_dice (below) of `a` and `b` over the shingles in neither sorted set `skip_a` nor `skip_b` (e.g.
// without place names, so that the text feature says what the problem is and the place feature where),
// in one linear pass over the four sets: every set is sorted and the merge visits shingles in order.
// `a_weight(i)` is the weight of a[i] and `b_weight(j)` that of b[j] (a caller scoring one query
// against many candidates computes the query's weights once, and each candidate's in one pass).
template <typename AWeight, typename BWeight>
double weighted_dice_skipping(ShingleSpan a, const AWeight& a_weight, ShingleSpan b, const BWeight& b_weight,
                              ShingleSpan skip_a, ShingleSpan skip_b) {
    std::size_t p = 0;
    std::size_t q = 0;
    const auto skipped = [&](Shingle s) {
        while (p < skip_a.size() && skip_a[p] < s) ++p;
        while (q < skip_b.size() && skip_b[q] < s) ++q;
        return (p < skip_a.size() && skip_a[p] == s) || (q < skip_b.size() && skip_b[q] == s);
    };
    double wa = 0.0;
    double wb = 0.0;
    double common = 0.0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i] < b[j])) {
            wa += skipped(a[i]) ? 0.0 : a_weight(i);
            ++i;
        } else if (i == a.size() || b[j] < a[i]) {
            wb += skipped(b[j]) ? 0.0 : b_weight(j);
            ++j;
        } else {
            const double x = skipped(a[i]) ? 0.0 : a_weight(i);
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

namespace detail {

// The first position at or after `from` whose shingle is not below `s`, by galloping (steps of 1, 2, 4…,
// then a binary search in the last step): a run of k skipped shingles costs O(log k), so consecutive
// searches over one sorted set cost O(m log(n/m)) in all, never more than a merge or a fresh binary
// search each.
inline const Shingle* gallop(const Shingle* from, const Shingle* end, Shingle s) {
    std::size_t step = 1;
    auto lo = from;
    while (lo != end && *lo < s) {
        const auto left = static_cast<std::size_t>(end - lo);
        const auto hi = lo + static_cast<std::ptrdiff_t>(std::min(step, left));
        if (hi == end || !(*(hi - 1) < s)) return std::lower_bound(lo, hi, s);
        lo = hi;
        step *= 2;
    }
    return lo;
}

}  // namespace detail

// weighted_containment (below) of `part` in the union of the sorted sets `a` and `b`, over the shingles
// of part for which `skip(i)` is false, with `weight(i)` the weight of part[i] (computed once per
// query); searches only move forward (galloping), as part is sorted too.
template <typename Weight, typename Skip>
double weighted_containment_sorted(ShingleSpan part, const Weight& weight, const Skip& skip, ShingleSpan a,
                                   ShingleSpan b) {
    double total = 0.0;
    double found = 0.0;
    auto ia = a.begin();
    auto ib = b.begin();
    for (std::size_t i = 0; i < part.size(); ++i) {
        if (skip(i)) continue;
        const Shingle s = part[i];
        const double w = weight(i);
        total += w;
        ia = detail::gallop(ia, a.end(), s);
        ib = detail::gallop(ib, b.end(), s);
        if ((ia != a.end() && *ia == s) || (ib != b.end() && *ib == s)) found += w;
    }
    return total > 0.0 ? std::min(1.0, found / total) : 0.0;
}

// Weighted Dice coefficient of two sorted shingle sets: 2·w(A∩B) / (w(A) + w(B)), in [0, 1]; 0 when
// both are empty. `weight` gives each shingle's weight (e.g. its IDF); it must be positive.
template <typename Weight>
double weighted_dice(ShingleSpan a, ShingleSpan b, const Weight& weight) {
    const auto a_weight = [&](std::size_t i) { return weight(a[i]); };
    const auto b_weight = [&](std::size_t j) { return weight(b[j]); };
    return weighted_dice_skipping(a, a_weight, b, b_weight, {}, {});
}

// Weighted containment of `part` in the union of the sorted sets `a` and `b`: w(part ∩ (a ∪ b)) / w(part),
// in [0, 1]; 0 when `part` is empty. Used for places: "崔岙花园12幢" is contained in
// "海曙区章水镇崔岙花园12幢对面", and an address may be named in the other report's text instead.
template <typename Weight>
double weighted_containment(ShingleSpan part, ShingleSpan a, ShingleSpan b, const Weight& weight) {
    return weighted_containment_sorted(
        part, [&](std::size_t i) { return weight(part[i]); }, [](std::size_t) { return false; }, a, b);
}

}  // namespace routing_core
