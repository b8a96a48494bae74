#include <gtest/gtest.h>

#include "routing_core/address_parser.hpp"
#include "routing_core/address_similarity.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
struct Similarity : ::testing::Test {
    Gazetteer g = fixtures::small_gazetteer();
    double sim(const std::string& a, const std::string& b) {
        const Address pa = parse_address(g, normalise_address(utf8::decode(a)));
        const Address pb = parse_address(g, normalise_address(utf8::decode(b)));
        const double ab = address_similarity(pa, pb);
        EXPECT_DOUBLE_EQ(ab, address_similarity(pb, pa)) << "asymmetric for " << a << " / " << b;
        EXPECT_GE(ab, 0.0);
        EXPECT_LE(ab, 1.0);
        return ab;
    }
};
}  // namespace

TEST_F(Similarity, TheHierarchyOrdersAgreement) {
    const double same_number = sim("鄞州区百丈东路168号", "百丈东路一百六十八号");
    const double same_road = sim("百丈东路168号", "百丈东路");
    const double same_community = sim("七五社区菜场", "七五社区门口");
    const double same_town = sim("百丈街道", "百丈街道七五社区");
    EXPECT_EQ(same_number, 1.0);
    EXPECT_GT(same_number, same_road);
    EXPECT_GT(same_road, same_community);
    EXPECT_GT(same_community, same_town);
}

TEST_F(Similarity, DifferentNumbersAreDifferentPlaces) {
    EXPECT_LT(sim("百丈东路168号", "百丈东路186号"), 0.2);
}

TEST_F(Similarity, AMissingLevelIsUnknownNotAMismatch) {
    EXPECT_EQ(sim("鄞州区百丈东路168号", "百丈东路168号"), 1.0);
    EXPECT_EQ(sim("海曙区中山西路1号", "鄞州区中山西路1号"), 0.0);  // both named, and different
}

TEST_F(Similarity, TheSamePlaceWrittenTheSameWayIsOneButAnAreaIsNot) {
    EXPECT_EQ(sim("七五社区菜场门口", "七五社区菜场门口"), 1.0);
    EXPECT_EQ(sim("百丈路与七五路交叉口往东50米", "百丈路与七五路交叉口往东50米"), 1.0);
    EXPECT_EQ(sim("百丈东路", "百丈东路"), 0.75);  // the same road: an area, not one place
    EXPECT_EQ(sim("鄞州区百丈街道", "鄞州区百丈街道"), 0.4);
}

TEST_F(Similarity, ACompoundsBuildingsAreItsPlaces) {
    EXPECT_EQ(sim("七五社区阳光花园3幢", "阳光花园3号楼"), 1.0);
    EXPECT_LT(sim("阳光花园3幢", "阳光花园5幢"), 0.2);   // next door, like another house number
    EXPECT_EQ(sim("阳光花园3幢", "阳光花园门口"), 0.85);  // one side names no building
    // The same compound with and without the name it is named after (七五超市 / 七五社区超市's 超市).
    EXPECT_EQ(sim("七五社区超市门口", "七五超市门口"), 0.85);
}
