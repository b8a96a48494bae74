#include "routing_core/address_similarity.hpp"

namespace routing_core {
namespace {

// The ladder of agreement, finest first. Different numbers on one road are different places
// (168号 vs 186号), hence the low value; two addresses that share nothing comparable get a small
// prior rather than zero, because "unknown" must not be scored as "different".
constexpr double same_number_same_building = 1.0;
constexpr double same_number_other_building = 0.8;
constexpr double same_road_number_unknown = 0.75;
constexpr double same_road_other_number = 0.15;
constexpr double same_compound = 0.85;  // a building on one side only, or on neither
constexpr double same_compound_other_building = 0.15;  // 雷山小区1幢 vs 雷山小区3幢: next door
constexpr double same_community = 0.7;
constexpr double other_road_same_community = 0.3;
constexpr double same_town = 0.4;
constexpr double other_road = 0.1;
constexpr double same_county = 0.2;
constexpr double nothing_comparable = 0.1;

bool both(const std::string& a, const std::string& b) { return !a.empty() && !b.empty(); }

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One compound written with or without the name it is named after: 蔚斗超市 and the 超市 of
// 蔚斗社区超市 (the units above were already checked not to conflict). Both are UTF-8, so a byte
// suffix that is a whole valid string starts on a character boundary.
bool same_compound_name(const std::string& a, const std::string& b) {
    return both(a, b) && (ends_with(a, b) || ends_with(b, a));
}

// An address that points at a place rather than an area: a house number, a building, a compound or
// point of interest, a community, or a road with a landmark or crossing (百丈路与民安路交叉口).
bool names_a_place(const Address& a) {
    return !a.number.empty() || !a.building.empty() || !a.room.empty() || !a.compound.empty() ||
           a.unit_at(Level::community) != no_unit || (!a.road.empty() && !a.remainder.empty());
}

}  // namespace

double address_similarity(const Address& a, const Address& b) noexcept {
    for (Level level : {Level::county, Level::town, Level::community}) {
        const std::int32_t ua = a.unit_at(level);
        const std::int32_t ub = b.unit_at(level);
        if (ua != no_unit && ub != no_unit && ua != ub) return 0.0;
    }
    // The same place written the same way is the same place; the same area (a bare road or town
    // written twice) stays on the ladder below.
    if (!a.normalised.empty() && a.normalised == b.normalised && names_a_place(a)) return 1.0;
    const bool same_community_known = a.unit_at(Level::community) != no_unit &&
                                      a.unit_at(Level::community) == b.unit_at(Level::community);
    if (both(a.road, b.road)) {
        if (a.road != b.road) return same_community_known ? other_road_same_community : other_road;
        if (both(a.number, b.number)) {
            if (a.number != b.number) return same_road_other_number;
            return both(a.building, b.building) && a.building != b.building ? same_number_other_building
                                                                            : same_number_same_building;
        }
        return same_road_number_unknown;
    }
    if (same_compound_name(a.compound, b.compound)) {
        if (both(a.building, b.building)) {
            return a.building == b.building ? same_number_same_building : same_compound_other_building;
        }
        return same_compound;
    }
    if (same_community_known) return same_community;
    if (a.unit_at(Level::town) != no_unit && a.unit_at(Level::town) == b.unit_at(Level::town)) return same_town;
    if (a.unit_at(Level::county) != no_unit && a.unit_at(Level::county) == b.unit_at(Level::county)) {
        return same_county;
    }
    return nothing_comparable;
}

}  // namespace routing_core
