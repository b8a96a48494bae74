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
    EXPECT_EQ(code(a, Level::county), "330212");  // both 划船社区 lie in 鄞州区: the county is known
    EXPECT_EQ(code(a, Level::town), "");          // one is in 百丈街道, the other in 东柳街道
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

TEST_F(AddressParser, UnitShortFormsInsideRoadNamesAreRoads) {
    // 百丈 (a town's short form) followed by a direction and 路 is the road 百丈东路; the town named
    // before it still counts.
    const Address a = parse("鄞州区东柳街道百丈东路与七五路交叉口往东50米");
    EXPECT_EQ(code(a, Level::town), "330212011");
    EXPECT_EQ(a.road, "百丈东路");
    EXPECT_EQ(a.remainder, "与七五路交叉口往东50米");  // the second road stays, as written
    EXPECT_EQ(code(a, Level::community), "");        // 七五 here is part of 七五路, not 七五社区
}

TEST_F(AddressParser, HouseNumberBeforeFloorWord) {
    const Address a = parse("百丈东路347号楼下");
    EXPECT_EQ(a.number, "347");
    EXPECT_EQ(a.building, "");
    EXPECT_EQ(a.remainder, "楼下");
    const Address b = parse("七五社区3号楼2单元");
    EXPECT_EQ(b.building, "3");
    EXPECT_EQ(b.unit, "2");
}

TEST_F(AddressParser, LaneNumbersAndCompounds) {
    const Address a = parse("百丈街道中山东路123弄5号");
    EXPECT_EQ(a.road, "中山东路");
    EXPECT_EQ(a.number, "123弄5");
    const Address b = parse("百丈街道嘉和家园门口");  // 和 inside a compound's name, the last suffix wins
    EXPECT_EQ(b.compound, "嘉和家园");
    EXPECT_EQ(b.remainder, "门口");
}

TEST_F(AddressParser, OneCharacterTypoOfATownIsRecoveredWhenUnique) {
    // 佰丈 for 百丈: one character off 百丈街道 and off no other town of 鄞州区.
    const Address a = parse("鄞州区佰丈街道七五社区");
    EXPECT_EQ(code(a, Level::town), "330212010");
    EXPECT_EQ(code(a, Level::community), "330212010aaaa");
    EXPECT_EQ(a.remainder, "");
    EXPECT_LT(a.confidence, 1.0);
    // Two characters off is not recovered, and the unknown 街道 is no street.
    const Address b = parse("鄞州区佰帐街道");
    EXPECT_EQ(code(b, Level::town), "");
    EXPECT_EQ(b.road, "");
}

TEST_F(AddressParser, AmbiguitySettledByALowerLevelIsNotListed) {
    // The county is named; 划船 fits two communities, but the town named first settles it.
    const Address a = parse("鄞州区东柳街道划船社区");
    EXPECT_EQ(code(a, Level::community), "330212011bbbb");
    EXPECT_TRUE(a.ambiguities.empty());
}

TEST_F(AddressParser, LongAndHostileInputsAreLinear) {
    std::string big;
    for (int i = 0; i < 20000; ++i) big += "百丈路划船社区镇";
    const Address a = parse(big);  // 160k code points; must finish quickly and not throw
    EXPECT_LE(a.confidence, 1.0);
}

namespace {
// Villages that compounds are named after, and names that overlap them: 花园 is the short form of a
// 花园社区, 塘花园 that of a 塘花园村, both elsewhere.
Gazetteer compound_gazetteer() {
    Gazetteer g;
    g.add_unit("330000", Level::province, "", "浙江省", {"浙江"});
    g.add_unit("330200", Level::city, "330000", "宁波市", {"宁波"});
    g.add_unit("330225", Level::county, "330200", "象山县", {"象山"});
    g.add_unit("330226", Level::county, "330200", "宁海县", {"宁海"});
    g.add_unit("330225107", Level::town, "330225", "定塘镇", {"定塘"});
    g.add_unit("330225104", Level::town, "330225", "贤庠镇", {"贤庠"});
    g.add_unit("330226001", Level::town, "330226", "梅林街道", {"梅林"});
    g.add_unit("330225107aaaa", Level::community, "330225107", "小湾塘村", {"小湾塘"});
    g.add_unit("330225104bbbb", Level::community, "330225104", "塘花园村", {"塘花园"});
    g.add_unit("330226001cccc", Level::community, "330226001", "花园社区", {"花园"});
    g.build();
    return g;
}
}  // namespace

TEST(AddressParserCompounds, ACompoundNamedAfterAVillageIsOneNameAndStatesTheVillage) {
    const Gazetteer g = compound_gazetteer();
    const auto parse = [&](const std::string& s) { return parse_address(g, normalise_address(utf8::decode(s))); };
    // However it is written, the compound and the village come out the same, and 花园 (a 花园社区
    // elsewhere) and 塘花园 (a 塘花园村 elsewhere) are not read as units.
    for (const std::string s : {"象山县小湾塘花园25号楼", "小湾塘花园25幢附近", "定塘镇小湾塘村小湾塘花园25幢"}) {
        const Address a = parse(s);
        EXPECT_EQ(a.compound, "小湾塘花园") << s;
        EXPECT_EQ(a.building, "25") << s;
        ASSERT_NE(a.unit_at(Level::community), no_unit) << s;
        EXPECT_EQ(g.unit(static_cast<std::uint32_t>(a.unit_at(Level::community))).code, "330225107aaaa") << s;
        EXPECT_TRUE(a.ambiguities.empty()) << s;
    }
    // An official name before a suffix stays the unit; the compound is the rest.
    const Address official = parse("小湾塘村花园");
    EXPECT_EQ(g.unit(static_cast<std::uint32_t>(official.unit_at(Level::community))).code, "330225107aaaa");
    // A unit's own name that holds a suffix is still that unit.
    const Address village = parse("塘花园村3号");
    EXPECT_EQ(g.unit(static_cast<std::uint32_t>(village.unit_at(Level::community))).code, "330225104bbbb");
    EXPECT_EQ(village.compound, "");
}
