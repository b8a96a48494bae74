#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
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

namespace {
// The interpolation written out with a binary search for the segment, as the textbook does it.
double interpolated(const std::vector<double>& x, const std::vector<double>& y, double v) {
    if (v <= x.front()) return y.front();
    if (v >= x.back()) return y.back();
    const auto above = std::upper_bound(x.begin(), x.end(), v);
    const std::size_t k = static_cast<std::size_t>(above - x.begin());
    return y[k - 1] + (v - x[k - 1]) / (x[k] - x[k - 1]) * (y[k] - y[k - 1]);
}
}  // namespace

// A store written on one machine is replayed on another, and the replay must decide as the writer
// did (recovery checks it). A target with fused multiply-add (aarch64; x86-64 with -march=native)
// would evaluate `y0 + t * (y1 - y0)` with one rounding instead of two and differ in the last bit;
// the core is compiled with -ffp-contract=off (CMakeLists.txt) so that it never does.
TEST(Curve, RoundsTheProductBeforeTheSumOnEveryTarget) {
    std::mt19937_64 random(11);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int fused_differs = 0;
    for (int i = 0; i < 2000; ++i) {
        const double y0 = unit(random);
        const double y1 = unit(random);
        const double v = unit(random);
        const Curve c{{0.0, 1.0}, {y0, y1}};  // t = (v - 0) / (1 - 0) = v, exactly
        volatile double product = v * (y1 - y0);  // stored, so rounded, whatever this file's flags
        const double two_roundings = y0 + product;
        if (std::fma(v, y1 - y0, y0) != two_roundings) ++fused_differs;
        EXPECT_EQ(c(v), two_roundings) << "y0 " << y0 << ", y1 " << y1 << ", v " << v;
    }
    EXPECT_GT(fused_differs, 100);  // the inputs tell one rounding from two
}

TEST(Curve, FindsEachSegmentAsABinarySearchDoes) {
    // The address curve of the bundled match file: 14 knots, uneven.
    const std::vector<double> x{0, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.35, 0.4, 0.5, 0.7, 0.75, 0.85, 1};
    const std::vector<double> y{0.2765, 0.6694, 0.4144, 0.2688, 0.1989, 0.5726, 0.0,
                                0.3756, 0.7086, 0.1567, 0.4822, 0.8813, 0.4328, 1.0};
    const Curve c{x, y};
    std::vector<double> values(x);  // each knot, and just beside it on both sides
    for (const double knot : x) {
        values.push_back(std::nextafter(knot, -1.0));
        values.push_back(std::nextafter(knot, 2.0));
    }
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> any(-0.5, 1.5);
    for (int i = 0; i < 20000; ++i) values.push_back(any(random));
    for (const double v : values) {
        const double expected = interpolated(x, y, v);
        // Bit for bit (the same segment, the same arithmetic); EXPECT_EQ on doubles is exact.
        EXPECT_EQ(c(v), expected) << "at " << v;
    }
    // A NaN reads no knot past the ends (ASan checks the reads): the first knot's value, as at or below it.
    EXPECT_EQ(c(std::numeric_limits<double>::quiet_NaN()), y.front());
    EXPECT_EQ((Curve{{0.5}, {0.25}})(std::numeric_limits<double>::quiet_NaN()), 0.25);  // one knot
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

TEST(MatchParams, ContributionsAreEachFeaturesWeightedShareInTheExplanationsOrder) {
    MatchParams p;  // weights 1 + 1 + 0.5 + 0.25 + 2 = 4.75; the others are 0 by default
    p.weight_address = 1.0;
    p.weight_text = 1.0;
    p.weight_category = 0.5;
    p.weight_place = 0.25;
    p.weight_place_category = 2.0;
    p.curve_address = Curve{{0.0, 1.0}, {1.0, 0.0}};  // reversed; the other curves are the identity
    Features f;
    f.address = 0.25;
    f.text = 0.5;
    f.place = 0.5;
    f.category = 1.0;
    // address, text, place, category, time, place · category, place · text, coverage, address ·
    // category, proximity, channel, wording
    const std::array<double, MatchParams::feature_count> expected{
        0.75 / 4.75, 0.5 / 4.75, 0.25 * 0.5 / 4.75, 0.5 * 1.0 / 4.75, 0.0, 2.0 * 0.5 / 4.75, 0.0, 0.0, 0.0,
        0.0,         0.0,        0.0};
    const auto got = p.contributions(f);
    double sum = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_DOUBLE_EQ(got[i], expected[i]) << "feature " << i;
        sum += got[i];
    }
    EXPECT_DOUBLE_EQ(sum, p.combine(f));
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
    const std::vector<Shingle> skip{la[0]};
    EXPECT_DOUBLE_EQ(weighted_dice_skipping(a, one_at, b, one_at, skip, {}), 2.0 * 5 / (6 + 7));
    EXPECT_DOUBLE_EQ(weighted_dice_skipping(a, one_at, b, one_at, {}, skip), 2.0 * 5 / (6 + 7));
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
        const auto a_w = [&](std::size_t i) { return w(a[i]); };
        const auto b_w = [&](std::size_t j) { return w(b[j]); };
        EXPECT_NEAR(weighted_dice_skipping(a, a_w, b, b_w, skip_a, skip_b), dice, 1e-12);
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
        const Shingle* begin = set.data();
        const Shingle* end = begin + set.size();
        const Shingle* at = begin;
        for (Shingle q : queries) {
            at = detail::gallop(at, end, q);
            ASSERT_EQ(at, std::lower_bound(begin, end, q)) << "round " << round << " query " << q;
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

TEST(MatchParams, LimitsTheLookupAndTheWeights) {
    MatchParams p;
    p.validate();
    p.lookup.max_candidates = max_lookup_limit;
    p.validate();
    p.lookup.max_candidates = max_lookup_limit + 1;  // 2^62 failed the first report's reserve
    EXPECT_THROW(p.validate(), ConfigError);
    p.lookup.max_candidates = 48;
    p.lookup.max_closed = static_cast<std::size_t>(-1);  // max_candidates + max_closed wrapped around
    EXPECT_THROW(p.validate(), ConfigError);
    p.lookup.max_closed = 32;
    p.weight_address = 1e308;  // two of them summed to infinity, every score to NaN
    p.weight_place = 1e308;
    EXPECT_THROW(p.validate(), ConfigError);
}

TEST(Curve, MaxUpToIsTheLargestValueOnTheRange) {
    const Curve peak{{0.0, 0.5, 1.0}, {0.0, 1.0, 0.5}};
    EXPECT_DOUBLE_EQ(peak.max_up_to(0.25), 0.5);
    EXPECT_DOUBLE_EQ(peak.max_up_to(0.5), 1.0);
    EXPECT_DOUBLE_EQ(peak.max_up_to(1.0), 1.0);
    EXPECT_DOUBLE_EQ(Curve{}.max_up_to(0.3), 0.3);  // the identity
    EXPECT_DOUBLE_EQ((Curve{{0.0, 1.0}, {1.0, 0.0}}).max_up_to(0.7), 1.0);
    // Against a dense scan of random curves: knots on a 1/16 grid, the scan on a 1/1024 grid (both
    // exact in binary, so the scan visits every knot).
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int trial = 0; trial < 200; ++trial) {
        Curve c;
        for (int k = 0; k <= 16; ++k) {
            if (k == 0 || k == 16 || unit(rng) < 0.3) {
                c.x.push_back(k / 16.0);
                c.y.push_back(unit(rng));
            }
        }
        const double hi = static_cast<double>(rng() % 1025) / 1024.0;
        double scanned = 0.0;
        for (int m = 0; m <= 1024 && m / 1024.0 <= hi; ++m) scanned = std::max(scanned, c(m / 1024.0));
        EXPECT_DOUBLE_EQ(c.max_up_to(hi), scanned) << "trial " << trial << " hi " << hi;
    }
}

namespace {

Curve random_curve(std::mt19937& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Curve c;
    for (double x = 0.0; x <= 1.0; x += 0.125) {
        c.x.push_back(x);
        c.y.push_back(unit(rng));
    }
    return c;
}

MatchParams random_params(std::mt19937& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    MatchParams p;
    for (double* w : {&p.weight_address, &p.weight_text, &p.weight_category, &p.weight_time, &p.weight_place,
                      &p.weight_place_category, &p.weight_place_text, &p.weight_coverage, &p.weight_address_category,
                      &p.weight_proximity, &p.weight_channel, &p.weight_wording}) {
        *w = unit(rng);
    }
    for (Curve* c : {&p.curve_address, &p.curve_text, &p.curve_place, &p.curve_category, &p.curve_time,
                     &p.curve_place_category, &p.curve_place_text, &p.curve_address_category, &p.curve_coverage,
                     &p.curve_proximity, &p.curve_channel, &p.curve_wording}) {
        *c = random_curve(rng);
    }
    return p;
}

// Every feature uniform in [0, 1], but category agreement, which is 0, 0.5 (unknown) or 1.
Features random_features(std::mt19937& rng) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Features f{unit(rng), unit(rng), unit(rng), unit(rng), 0.0, unit(rng), unit(rng), unit(rng), unit(rng)};
    f.category = 0.5 * static_cast<double>(rng() % 3);
    return f;
}

}  // namespace

TEST(MatchParams, TextPartBoundBoundsEveryScoreOfTheCheapFeatures) {
    std::mt19937 rng(11);
    for (int trial = 0; trial < 2000; ++trial) {
        const MatchParams p = random_params(rng);
        const Features f = random_features(rng);
        const double total = p.total_weight();
        const double score = p.combine(f);
        EXPECT_LE(score, (p.cheap_part(f) + p.text_part_bound(f.category, f.place)) / total + 1e-12);
        EXPECT_LE((p.cheap_part(f) + p.text_part_bound(f.category, f.place)) / total,
                  (p.cheap_part(f) + p.text_part_bound(f.category)) / total + 1e-12);
    }
}

TEST(MatchParams, CheapPartFromTheMemoIsTheSameToTheBit) {
    // The engine computes every candidate's cheap part with the memo: it must equal cheap_part(f) as a
    // double. Address and category take a few values (the ladder's rungs; same, other, unknown), so
    // that pairs repeat and are read back; more pairs than the memo has slots, so that some are
    // replaced and computed again.
    std::mt19937 rng(23);
    std::vector<double> rungs;
    for (int k = 0; k <= 200; ++k) rungs.push_back(k / 200.0);
    const double categories[] = {0.0, 0.5, 1.0};
    for (int round = 0; round < 20; ++round) {
        const MatchParams p = random_params(rng);
        AddressCategoryMemo memo;
        for (int trial = 0; trial < 2000; ++trial) {
            Features f = random_features(rng);
            f.address = rungs[rng() % (trial < 1000 ? 12 : rungs.size())];
            f.category = categories[rng() % 3];
            double as_recurrence = -1.0;
            double from_memo = -1.0;
            ASSERT_EQ(p.cheap_part(f, as_recurrence, &memo), p.cheap_part(f))
                << "round " << round << " trial " << trial;
            const double cheap = p.cheap_part(f, from_memo);
            ASSERT_EQ(as_recurrence, from_memo) << "round " << round << " trial " << trial;
            ASSERT_EQ(p.cheap_part(f, as_recurrence, &memo), cheap)
                << "round " << round << " trial " << trial;
        }
    }
}

TEST(MatchParams, CheapPartWithItsRecurrenceValueIsTheSameToTheBit) {
    // The shortlist picks the best closed candidate by this value, and the decisions must not depend
    // on which form computed it: equal as doubles, not only close.
    std::mt19937 rng(17);
    for (int trial = 0; trial < 2000; ++trial) {
        const MatchParams p = random_params(rng);
        Features f = random_features(rng);
        double as_recurrence = -1.0;
        EXPECT_EQ(p.cheap_part(f, as_recurrence), p.cheap_part(f)) << "trial " << trial;
        f.recency = 1.0;
        EXPECT_EQ(as_recurrence, p.cheap_part(f)) << "trial " << trial;
    }
}

TEST(MatchParams, TextPartBoundFromTheMaximaIsTheSameToTheBit) {
    // The engine bounds every candidate with the curves' maxima taken once a report: the bounds, and
    // with them which candidates are left unscored, must be those computed from the curves on each
    // call (as stop 28's engine did, written out here), as doubles.
    const auto direct = [](const MatchParams& p, double category) {
        return p.weight_place * p.curve_place.max_up_to(1.0) +
               p.weight_place_category * p.curve_place_category.max_up_to(category) +
               p.weight_place_text * p.curve_place_text.max_up_to(1.0) +
               p.weight_text * p.curve_text.max_up_to(1.0) +
               p.weight_coverage * p.curve_coverage.max_up_to(1.0) +
               p.weight_wording * p.curve_wording.max_up_to(1.0);
    };
    const auto direct_with_place = [](const MatchParams& p, double category, double place) {
        return p.weight_place * p.curve_place(place) +
               p.weight_place_category * p.curve_place_category(place * category) +
               p.weight_place_text * p.curve_place_text.max_up_to(place) +
               p.weight_text * p.curve_text.max_up_to(1.0) +
               p.weight_coverage * p.curve_coverage.max_up_to(1.0) +
               p.weight_wording * p.curve_wording.max_up_to(1.0);
    };
    std::mt19937 rng(29);
    for (int trial = 0; trial < 2000; ++trial) {
        const MatchParams p = random_params(rng);
        const MatchParams::TextMaxima maxima = p.text_maxima();
        const Features f = random_features(rng);
        EXPECT_EQ(p.text_part_bound(f.category, maxima), direct(p, f.category)) << "trial " << trial;
        EXPECT_EQ(p.text_part_bound(f.category, f.place, maxima), direct_with_place(p, f.category, f.place))
            << "trial " << trial;
    }
}

TEST(MatchParams, TextPartBoundIsReachedWhenOnlyPlaceCounts) {
    // With text, coverage and wording weighing nothing, the bound that knows the place is the score.
    std::mt19937 rng(13);
    for (int trial = 0; trial < 200; ++trial) {
        MatchParams p = random_params(rng);
        p.weight_text = p.weight_place_text = p.weight_coverage = p.weight_wording = 0.0;
        const Features f = random_features(rng);
        EXPECT_NEAR(p.combine(f), (p.cheap_part(f) + p.text_part_bound(f.category, f.place)) / p.total_weight(),
                    1e-12);
        // Without the place, the place terms' bound is their curves' maxima: 1 at place = 1 when the
        // curves are the identity.
        p.curve_place = Curve{};
        p.curve_place_category = Curve{};
        EXPECT_DOUBLE_EQ(p.text_part_bound(f.category), p.weight_place + p.weight_place_category * f.category);
    }
}

TEST(ScoreBounds, LeavingOutTheNeedlessCandidatesKeepsTheDecision) {
    // Random candidates scored in a random order; those needless when their turn comes are left out.
    // decide() on the rest must choose the same candidate, flag the same review and keep the top score.
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    MatchParams p;
    p.duplicate_threshold = 0.6;
    p.review_threshold = 0.5;
    std::size_t left_out = 0;
    for (int trial = 0; trial < 5000; ++trial) {
        p.recurrence_threshold = 0.4 + 0.5 * unit(rng);
        const std::size_t n = 1 + rng() % 12;
        std::vector<CandidateScore> all(n);
        std::vector<double> bound(n);
        for (std::size_t i = 0; i < n; ++i) {
            all[i].score = std::round(unit(rng) * 20.0) / 20.0;  // on a grid: ties happen
            all[i].closed = rng() % 3 == 0;
            all[i].event_id = std::to_string(i);
            bound[i] = std::min(1.0, all[i].score + (rng() % 2 ? 0.0 : 0.3 * unit(rng)));
        }
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::shuffle(order.begin(), order.end(), rng);
        ScoreBounds best;
        std::vector<std::size_t> kept_at;
        for (std::size_t i : order) {
            if (best.needless(bound[i], all[i].closed, p)) {
                ++left_out;
                continue;
            }
            best.add(all[i].score, all[i].closed, p);
            kept_at.push_back(i);
        }
        // As the engine does: the kept ones in their places, then by score (ties keep their places).
        std::sort(kept_at.begin(), kept_at.end());
        std::vector<CandidateScore> kept;
        for (std::size_t i : kept_at) kept.push_back(all[i]);
        const auto by_score = [](std::vector<CandidateScore>& v) {
            std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
        };
        by_score(all);
        by_score(kept);
        const MatchDecision want = decide(all, p);
        const MatchDecision got = decide(kept, p);
        ASSERT_EQ(got.outcome, want.outcome) << "trial " << trial;
        ASSERT_EQ(got.needs_review, want.needs_review) << "trial " << trial;
        ASSERT_EQ(kept.front().event_id, all.front().event_id) << "trial " << trial;  // the top, and its score
        if (want.outcome != Outcome::new_event) {
            ASSERT_EQ(kept[got.chosen].event_id, all[want.chosen].event_id) << "trial " << trial;
        }
    }
    EXPECT_GT(left_out, 1000u);  // the bounds did leave candidates out
}
