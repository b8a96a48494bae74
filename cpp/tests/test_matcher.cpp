#include <gtest/gtest.h>

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
    const auto skip = [&](Shingle s) { return s == sh("花")[0] || s == sh("园")[0]; };
    EXPECT_DOUBLE_EQ(weighted_containment(part, {}, text, one, skip), 1.0 / 7.0);
}

TEST(WeightedDice, SkipRemovesShinglesFromBothSides) {
    const auto a = sh("垃圾满了");  // 7 shingles
    const auto b = sh("垃圾满地");  // 7, of which 垃 圾 满 垃圾 圾满 shared
    const Shingle la = sh("了")[0];
    const auto skip = [&](Shingle s) { return s == la; };
    EXPECT_DOUBLE_EQ(weighted_dice(a, b, one, skip), 2.0 * 5 / (6 + 7));
}
