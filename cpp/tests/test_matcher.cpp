#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "routing_core/error.hpp"
#include "routing_core/matcher.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/text_similarity.hpp"
#include "routing_core/utf8.hpp"

using namespace routing_core;

namespace {
std::vector<Shingle> sh(const std::string& s) { return shingles(normalise_text(utf8::decode(s))); }
const auto one = [](Shingle) { return 1.0; };
}  // namespace

TEST(Curve, InterpolatesBetweenKnotsAndIsConstantBeyond) {
    Curve c{{0.0, 0.5, 1.0}, {0.0, 1.0, 0.5}};
    EXPECT_DOUBLE_EQ(c(0.25), 0.5);
    EXPECT_DOUBLE_EQ(c(0.75), 0.75);
    EXPECT_DOUBLE_EQ(c(-3.0), 0.0);
    EXPECT_DOUBLE_EQ(c(3.0), 0.5);
    Curve identity;
    EXPECT_DOUBLE_EQ(identity(0.3), 0.3);
    EXPECT_DOUBLE_EQ(identity(1.7), 1.0);
}

TEST(Curve, RejectsBadKnots) {
    EXPECT_THROW((Curve{{0.0, 0.0}, {0.0, 1.0}}).validate("c"), ConfigError);
    EXPECT_THROW((Curve{{0.0, 1.0}, {0.0, 1.5}}).validate("c"), ConfigError);
    EXPECT_THROW((Curve{{0.0, 1.0}, {0.0}}).validate("c"), ConfigError);
    EXPECT_NO_THROW((Curve{{0.0, 1.0}, {1.0, 0.0}}).validate("c"));
}

TEST(MatchParams, CombineIsTheWeightedMeanOfCurves) {
    MatchParams p;
    p.weight_address = 1.0;
    p.weight_text = 1.0;
    p.weight_category = 0.0;
    p.weight_place = 0.0;
    p.weight_place_category = 2.0;
    p.curve_address = Curve{{0.0, 1.0}, {1.0, 0.0}};  // reversed
    Features f;
    f.address = 0.25;
    f.text = 0.5;
    f.place = 0.5;
    f.category = 1.0;
    // (1·0.75 + 1·0.5 + 2·(0.5·1)) / 4
    EXPECT_DOUBLE_EQ(p.combine(f), (0.75 + 0.5 + 1.0) / 4.0);
    p.weight_place_text = -1.0;
    EXPECT_THROW(p.validate(), ConfigError);
}

TEST(WeightedContainment, ShareOfThePartFoundInEitherSet) {
    const auto part = sh("花园12幢");       // 花 园 1 2 幢 花园 园1 12 2幢: 9
    const auto whole = sh("镇海区花园12幢对面");  // contains all 9
    EXPECT_DOUBLE_EQ(weighted_containment(part, whole, {}, one), 1.0);
    const auto text = sh("巡查发现花园门口");  // 花 园 花园 of the part
    EXPECT_DOUBLE_EQ(weighted_containment(part, {}, text, one), 3.0 / 9.0);
    EXPECT_DOUBLE_EQ(weighted_containment({}, whole, text, one), 0.0);
    // Skipped shingles count on neither side: without 花 and 园 the part has 7, of which 花园 found.
    const auto skip = [&](std::size_t i) { return part[i] == sh("花")[0] || part[i] == sh("园")[0]; };
    const auto one_at = [](std::size_t) { return 1.0; };
    EXPECT_DOUBLE_EQ(weighted_containment_sorted(part, one_at, skip, {}, text), 1.0 / 7.0);
}

TEST(WeightedDice, SkipRemovesShinglesFromBothSides) {
    const auto a = sh("垃圾满了");  // 7 shingles
    const auto b = sh("垃圾满地");  // 7, of which 垃 圾 满 垃圾 圾满 shared
    const std::vector<Shingle> la = sh("了");  // 了 alone: its unigram
    const auto one_at = [](std::size_t) { return 1.0; };
    EXPECT_DOUBLE_EQ(weighted_dice_skipping(a, one_at, b, one, std::vector<Shingle>{la[0]}, {}), 2.0 * 5 / (6 + 7));
    EXPECT_DOUBLE_EQ(weighted_dice_skipping(a, one_at, b, one, {}, std::vector<Shingle>{la[0]}), 2.0 * 5 / (6 + 7));
}

// The merge-based kernels against a plain set computation, on random sorted sets and weights.
TEST(WeightedDice, MergeKernelsAgreeWithASetReference) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<Shingle> pick(1, 60);
    const auto random_set = [&](std::size_t n) {
        std::set<Shingle> s;
        for (std::size_t i = 0; i < n; ++i) s.insert(pick(rng));
        return std::vector<Shingle>(s.begin(), s.end());
    };
    const auto w = [](Shingle s) { return 0.5 + static_cast<double>(s % 7); };
    for (int round = 0; round < 500; ++round) {
        const auto a = random_set(rng() % 30), b = random_set(rng() % 30);
        const auto skip_a = random_set(rng() % 10), skip_b = random_set(rng() % 10);
        const std::set<Shingle> sa(a.begin(), a.end()), sb(b.begin(), b.end());
        const std::set<Shingle> skip(skip_a.begin(), skip_a.end()), skip2(skip_b.begin(), skip_b.end());
        double wa = 0, wb = 0, common = 0;
        for (Shingle s : sa) if (!skip.count(s) && !skip2.count(s)) wa += w(s), common += sb.count(s) ? w(s) : 0.0;
        for (Shingle s : sb) if (!skip.count(s) && !skip2.count(s)) wb += w(s);
        const double dice = wa + wb > 0 ? 2 * common / (wa + wb) : 0.0;
        EXPECT_NEAR(weighted_dice_skipping(a, [&](std::size_t i) { return w(a[i]); }, b, w, skip_a, skip_b), dice, 1e-12);
        double total = 0, found = 0;
        for (Shingle s : sa) {
            if (skip.count(s)) continue;
            total += w(s);
            if (sb.count(s) || skip2.count(s)) found += w(s);
        }
        const auto skipped = [&](std::size_t i) { return skip.count(a[i]) != 0; };
        EXPECT_NEAR(weighted_containment_sorted(a, [&](std::size_t i) { return w(a[i]); }, skipped, b, skip_b),
                    total > 0 ? found / total : 0.0, 1e-12);
    }
}

TEST(Matcher, ProximityIsZeroWithoutPositionsAndFallsFromOneWithDistance) {
    MatchParams p;
    p.proximity_scale_m = 100.0;
    EXPECT_DOUBLE_EQ(p.proximity(-1.0), 0.0);       // no position on one side
    EXPECT_DOUBLE_EQ(p.proximity(0.0), 1.0);        // 0.5 + 0.5 / 1
    EXPECT_DOUBLE_EQ(p.proximity(100.0), 0.75);     // 0.5 + 0.5 / 2
    EXPECT_DOUBLE_EQ(p.proximity(900.0), 0.55);     // 0.5 + 0.5 / 10
    p.proximity_scale_m = 0.0;
    EXPECT_THROW(p.validate(), ConfigError);
}

TEST(TextSimilarity, GallopFindsWhatLowerBoundFinds) {
    std::mt19937 rng(7);
    for (int round = 0; round < 300; ++round) {
        std::vector<Shingle> set(rng() % 200);
        for (auto& s : set) s = rng() % 400;
        std::sort(set.begin(), set.end());
        std::vector<Shingle> queries(rng() % 40);
        for (auto& q : queries) q = rng() % 420;
        std::sort(queries.begin(), queries.end());
        auto at = set.cbegin();
        for (Shingle q : queries) {
            at = detail::gallop(at, set.cend(), q);
            ASSERT_EQ(at, std::lower_bound(set.cbegin(), set.cend(), q)) << "round " << round << " query " << q;
        }
    }
}

TEST(Matcher, AClosedEventNeedsTheRecurrenceThreshold) {
    MatchParams p;
    p.duplicate_threshold = 0.6;
    p.review_threshold = 0.5;
    p.recurrence_threshold = 0.8;
    const auto candidate = [](double score, bool closed) {
        CandidateScore c;
        c.score = score;
        c.closed = closed;
        return c;
    };
    // A closed event at 0.7 would be a duplicate's score, but not a recurrence's: a new event, flagged.
    MatchDecision d = decide({candidate(0.7, true)}, p);
    EXPECT_EQ(d.outcome, Outcome::new_event);
    EXPECT_TRUE(d.needs_review);
    // At 0.85 it is a recurrence; an open event at 0.65 behind it still wins (a duplicate first).
    EXPECT_EQ(decide({candidate(0.85, true)}, p).outcome, Outcome::recurrence);
    d = decide({candidate(0.85, true), candidate(0.65, false)}, p);
    EXPECT_EQ(d.outcome, Outcome::duplicate);
    EXPECT_EQ(d.chosen, 1u);
    // The closed one below its threshold does not stop the search for an open one below it.
    d = decide({candidate(0.75, true), candidate(0.62, false)}, p);
    EXPECT_EQ(d.outcome, Outcome::duplicate);
    EXPECT_EQ(d.chosen, 1u);
    // A recurrence threshold below the duplicate one links closed events the open ones could not join.
    p.recurrence_threshold = 0.55;
    EXPECT_EQ(decide({candidate(0.58, true)}, p).outcome, Outcome::recurrence);
    EXPECT_EQ(decide({candidate(0.58, false)}, p).outcome, Outcome::new_event);
    p.recurrence_threshold = 1.5;
    EXPECT_THROW(p.validate(), ConfigError);
}
