#include <gtest/gtest.h>

#include "routing_core/address_parser.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
struct AddressParser : ::testing::Test {
    Gazetteer g = fixtures::small_gazetteer();
    Address parse(const std::string& s) { return parse_address(g, normalise_address(utf8::decode(s))); }
    std::string code(const Address& a, Level level) {
        const auto u = a.unit_at(level);
        return u == no_unit ? "" : g.unit(static_cast<std::uint32_t>(u)).code;
    }
};
}  // namespace

TEST_F(AddressParser, FullAddressGivesEveryComponent) {
    const Address a = parse("浙江省宁波市鄞州区百丈街道七五社区百丈东路168号3幢2单元301室");
    EXPECT_EQ(code(a, Level::county), "330212");
    EXPECT_EQ(code(a, Level::town), "330212010");
    EXPECT_EQ(code(a, Level::community), "330212010aaaa");
    EXPECT_EQ(a.road, "百丈东路");
    EXPECT_EQ(a.number, "168");
    EXPECT_EQ(a.building, "3");
    EXPECT_EQ(a.unit, "2");
    EXPECT_EQ(a.room, "301");
    EXPECT_TRUE(a.ambiguities.empty());
}

TEST_F(AddressParser, ShortFormsNumeralsAndInferredLevels) {
    const Address a = parse("鄞州七五社区百丈东路一百六十八号三栋楼下");
    EXPECT_EQ(code(a, Level::town), "330212010");  // inferred from the community
    EXPECT_EQ(a.number, "168");
    EXPECT_EQ(a.building, "3");
    EXPECT_EQ(a.remainder, "楼下");
}

TEST_F(AddressParser, RoadNamedAfterATownIsNotTheTown) {
    const Address a = parse("百丈东路168号");
    EXPECT_EQ(code(a, Level::town), "");
    EXPECT_EQ(a.road, "百丈东路");
}

TEST_F(AddressParser, AmbiguousCommunityIsReportedNotGuessed) {
    const Address a = parse("划船社区菜场门口");
    EXPECT_EQ(code(a, Level::community), "");
    EXPECT_EQ(code(a, Level::county), "");  // the two 划船社区 share 鄞州区 but the parser only infers from a chosen unit
    ASSERT_EQ(a.ambiguities.size(), 1u);
    EXPECT_NE(a.ambiguities[0].find("百丈街道"), std::string::npos);
    EXPECT_NE(a.ambiguities[0].find("东柳街道"), std::string::npos);
    EXPECT_EQ(a.compound, "菜场");
    // Naming the town resolves it.
    EXPECT_EQ(code(parse("百丈街道划船社区"), Level::community), "3302120101ea2");
}

TEST_F(AddressParser, FormerNamesAndConflicts) {
    EXPECT_EQ(code(parse("江东区百丈街道"), Level::county), "330212");
    const Address conflict = parse("海曙区百丈街道");  // 百丈 is not in 海曙
    EXPECT_EQ(code(conflict, Level::town), "");
    EXPECT_FALSE(conflict.ambiguities.empty());
}

TEST_F(AddressParser, EmptyAndGarbageInputs) {
    EXPECT_EQ(parse("").finest_level(), std::nullopt);
    const Address junk = parse("😀😀@@##");
    EXPECT_EQ(junk.finest_level(), std::nullopt);
    EXPECT_EQ(junk.confidence, 0.0);
}

TEST_F(AddressParser, CanonicalKeyIgnoresHowTheAddressWasWritten) {
    EXPECT_EQ(canonical_key(g, parse("鄞州区百丈街道七五社区百丈东路168号3幢")),
              canonical_key(g, parse("七五社区百丈东路一百六十八号三栋")));
}
