// QueryShingles against the sorted-set functions it stands in for (text_similarity.hpp): the same
// measures to the bit on random sets, and some worked by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "routing_core/query_shingles.hpp"

using namespace routing_core;

namespace {

std::vector<Shingle> random_set(std::mt19937_64& rng, const std::vector<Shingle>& pool, std::size_t most) {
    std::vector<Shingle> out;
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, most)(rng);
    for (std::size_t i = 0; i < n; ++i) out.push_back(pool[rng() % pool.size()]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// One weight per shingle (as an IDF is): the same shingle weighs the same on either side.
std::vector<double> weights_of(const std::vector<Shingle>& set) {
    std::vector<double> out;
    for (Shingle s : set) out.push_back(0.1 + static_cast<double>((s * 0x9E3779B97F4A7C15ull) >> 40) / 1e6);
    return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST(QueryShingles, DiceAndContainmentAreTheSortedSetMeasuresToTheBit) {
    std::mt19937_64 rng(11);
    // A small pool, so that the sets share shingles often; 0 and slot-colliding multiples of 2^44 too.
    std::vector<Shingle> pool{0, 1ull << 44, 2ull << 44, 3ull << 44};
    for (int i = 0; i < 60; ++i) pool.push_back(rng());
    QueryShingles query;
    std::vector<char> marks;
    for (int round = 0; round < 3000; ++round) {
        const std::vector<Shingle> text = random_set(rng, pool, 40);
        const std::vector<Shingle> place = random_set(rng, pool, 12);
        const std::vector<double> text_w = weights_of(text);
        const std::vector<double> place_w = weights_of(place);
        query.assign(text, text_w.data(), place, place_w.data());
        for (int other_round = 0; other_round < 4; ++other_round) {
            const std::vector<Shingle> other = random_set(rng, pool, 40);
            const std::vector<Shingle> other_place = random_set(rng, pool, 12);
            const std::vector<double> other_w = weights_of(other);
            const std::vector<double> other_place_w = weights_of(other_place);
            const auto text_weight = [&](std::size_t i) { return text_w[i]; };
            const auto other_weight = [&](std::size_t j) { return other_w[j]; };
            const auto nothing = [](std::size_t) { return false; };
            const double expected_dice =
                weighted_dice_skipping(text, text_weight, other, other_weight, place, other_place);
            const double dice = query.dice(other, other_w.data(), other_place, marks);
            ASSERT_TRUE(same_bits(dice, expected_dice)) << round << ": " << dice << " vs " << expected_dice;
            ASSERT_TRUE(std::all_of(marks.begin(), marks.end(), [](char m) { return m == 0; }));
            const double expected_contained = weighted_containment_sorted(
                other_place, [&](std::size_t i) { return other_place_w[i]; }, nothing, place, text);
            const double contained = query.contained(other_place, other_place_w.data());
            ASSERT_TRUE(same_bits(contained, expected_contained)) << round;
            const auto text_is_place = [&](std::size_t i) {
                return std::binary_search(place.begin(), place.end(), text[i]);
            };
            const double expected_text =
                weighted_containment_sorted(text, text_weight, text_is_place, other, other_place);
            ASSERT_TRUE(same_bits(query.covered(other, other_place, marks), expected_text)) << round;
            ASSERT_TRUE(std::all_of(marks.begin(), marks.end(), [](char m) { return m == 0; }));
        }
    }
}

TEST(QueryShingles, ADiceWorkedByHand) {
    // text {1, 2, 3} weighing 1, 2, 3; its place {3}; the other {2, 3, 4, 5} weighing 2, 3, 4, 5, its
    // place {5}.
    // Left out: 3 (the text's place) and 5 (the other's). Text 1 + 2 = 3, other 2 + 4 = 6, shared 2:
    // Dice 2 · 2 / (3 + 6) = 4/9. Contained: of the other's place {5} (weight 5), nothing is named: 0;
    // of {1, 3, 9} weighing 1, 3, 9, 1 (text) and 3 (place) are: 4/13.
    const std::vector<Shingle> text{1, 2, 3};
    const std::vector<double> text_w{1, 2, 3};
    const std::vector<Shingle> place{3};
    const std::vector<double> place_w{3};
    QueryShingles query;
    query.assign(text, text_w.data(), place, place_w.data());
    std::vector<char> marks;
    const std::vector<Shingle> other{2, 3, 4, 5};
    const std::vector<double> other_w{2, 3, 4, 5};
    const std::vector<Shingle> other_place{5};
    EXPECT_DOUBLE_EQ(query.dice(other, other_w.data(), other_place, marks), 4.0 / 9.0);
    const std::vector<double> five{5};
    EXPECT_EQ(query.contained(other_place, five.data()), 0.0);
    const std::vector<Shingle> part{1, 3, 9};
    const std::vector<double> part_w{1, 3, 9};
    EXPECT_DOUBLE_EQ(query.contained(part, part_w.data()), 4.0 / 13.0);
    // Nothing shared: 0. Nothing left on either side (a text that is all place): 0, not 0 / 0.
    const std::vector<Shingle> only_places{3, 5};
    const std::vector<double> only_places_w{3, 5};
    EXPECT_EQ(query.dice(only_places, only_places_w.data(), other_place, marks), 0.0);
    // Covered by {2, 3, 7}: of the text without its place, {1, 2}, 2 of 1 + 2.
    const std::vector<Shingle> said{2, 3, 7};
    EXPECT_DOUBLE_EQ(query.covered(said, {}, marks), 2.0 / 3.0);
    query.assign(place, place_w.data(), place, place_w.data());
    EXPECT_EQ(query.dice(only_places, only_places_w.data(), other_place, marks), 0.0);
    EXPECT_EQ(query.covered(said, {}, marks), 0.0);
}
