#include <gtest/gtest.h>

#include <sstream>

#include "routing_core/error.hpp"
#include "routing_core/gazetteer.hpp"

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
