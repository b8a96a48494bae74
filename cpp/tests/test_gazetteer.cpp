#include <gtest/gtest.h>

#include <sstream>

#include "routing_core/error.hpp"
#include "routing_core/gazetteer.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
const char* const header = "code\tlevel\tparent\tname\tshort\taliases\n";

Gazetteer read(const std::string& text) {
    std::istringstream in(text);
    return Gazetteer::from_tsv(in, "g.tsv");
}

std::string error_of(const std::string& text) {
    try {
        read(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Gazetteer, ReadsTheTsvFormat) {
    const Gazetteer g = read(std::string("# comment\n") + header +
                             "330200\tcity\t\t宁波市\t宁波\t\n"
                             "330212\tcounty\t330200\t鄞州区\t鄞州\t江东区|鄞县\n"
                             "330212010\ttown\t330212\t百丈街道\t百丈\t\n"
                             "3302120101ea201\tgrid\t330212010\t百丈第1网格\t\t\n");
    ASSERT_EQ(g.size(), 4u);
    EXPECT_EQ(g.unit(1).name, "鄞州区");
    EXPECT_EQ(g.units_at(Level::grid).size(), 1u);
    // Short form and both aliases are names of 鄞州区.
    std::size_t hits = 0;
    for (const auto& h : g.find_names(U"鄞州江东区鄞县")) hits += h.unit == 1;
    EXPECT_EQ(hits, 3u);
}

TEST(Gazetteer, ErrorsNameTheLine) {
    EXPECT_NE(error_of("code\tlevel\n").find("g.tsv:1: expected the header"), std::string::npos);
    EXPECT_NE(error_of(std::string(header) + "330200\tcity\t\t宁波市\n").find("g.tsv:2: expected 6"), std::string::npos);
    EXPECT_NE(error_of(std::string(header) + "330200\tcity\t\t宁波市\t\t\n330201\tcounty\t999\t某区\t\t\n")
                  .find("g.tsv:3:"),
              std::string::npos);  // unknown parent
    EXPECT_NE(error_of(std::string(header) + "330200\tmetropolis\t\t宁波市\t\t\n").find("g.tsv:2:"), std::string::npos);
    EXPECT_NE(error_of("# only a comment\n").find("no header"), std::string::npos);
}

namespace routing_core {
namespace {

TEST(Gazetteer, NearestCentroidWithinAParentAndARadius) {
    Gazetteer g = fixtures::small_gazetteer();
    // Two towns of 鄞州区 about 3.3 km apart (0.03 degrees of latitude), one of 海曙区 to the west.
    g.set_centroid(static_cast<std::uint32_t>(g.find("330212010")), 29.860, 121.560);  // 百丈街道
    g.set_centroid(static_cast<std::uint32_t>(g.find("330212011")), 29.890, 121.560);  // 东柳街道
    g.set_centroid(static_cast<std::uint32_t>(g.find("330203001")), 29.870, 121.540);  // 鼓楼街道
    const std::int32_t yinzhou = g.find("330212");
    EXPECT_EQ(g.nearest(29.862, 121.561, Level::town, no_unit, 15.0), g.find("330212010"));
    EXPECT_EQ(g.nearest(29.888, 121.559, Level::town, yinzhou, 15.0), g.find("330212011"));
    // 鼓楼街道 is nearest (about 0.3 km) but lies outside 鄞州区: the nearest inside it is 百丈街道.
    EXPECT_EQ(g.nearest(29.871, 121.542, Level::town, no_unit, 15.0), g.find("330203001"));
    EXPECT_EQ(g.nearest(29.871, 121.542, Level::town, yinzhou, 15.0), g.find("330212010"));
    EXPECT_EQ(g.nearest(31.23, 121.47, Level::town, no_unit, 15.0), no_unit);  // Shanghai: too far
    EXPECT_EQ(g.nearest(29.86, 121.56, Level::community, no_unit, 15.0), no_unit);  // no centroids there
    EXPECT_THROW(g.set_centroid(0, 95.0, 121.0), ConfigError);
}

}  // namespace
}  // namespace routing_core

namespace {

TEST(Gazetteer, RefusesANameThatNormalisesToNothing) {
    Gazetteer g;
    g.add_unit("330200", Level::city, "", "宁波市", {"宁波"});
    // Its decisions' unit_name would be blank, and no address could name it.
    EXPECT_THROW(g.add_unit("330203", Level::county, "330200", "\u3000", {"海曙"}), ConfigError);
    EXPECT_THROW(g.add_unit("330203", Level::county, "330200", " \u200b", {"海曙"}), ConfigError);
    g.add_unit("330203", Level::county, "330200", "海曙区", {"海曙"});
}

TEST(Gazetteer, ReadsOptionalCentroidColumns) {
    const std::string with = "code\tlevel\tparent\tname\tshort\taliases\tlat\tlon\n"
                             "330200\tcity\t\t宁波市\t宁波\t\t29.87\t121.55\n"
                             "330212\tcounty\t330200\t鄞州区\t鄞州\t\t\t\n";
    std::istringstream in(with);
    const Gazetteer g = Gazetteer::from_tsv(in, "c.tsv");
    ASSERT_TRUE(g.unit(static_cast<std::uint32_t>(g.find("330200"))).centroid.has_value());
    EXPECT_FALSE(g.unit(static_cast<std::uint32_t>(g.find("330212"))).centroid.has_value());
    std::istringstream bad("code\tlevel\tparent\tname\tshort\taliases\tlat\tlon\n330200\tcity\t\t宁波市\t\t\tnorth\t121\n");
    EXPECT_THROW(Gazetteer::from_tsv(bad, "c.tsv"), ConfigError);
}

}  // namespace
