// The administrative divisions an address can name, from province down to village/community, with the
// names people write for them (official name, short form, former names). Built once, then read-only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "routing_core/pattern_matcher.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

struct Unit {
    std::string code;
    Level level = Level::community;
    std::int32_t parent = no_unit;
    std::string name;
    std::u32string normalised_name;  // normalise_address(name), as the parser compares it
    std::optional<std::pair<double, double>> centroid;  // (lat, lon) WGS84, when the gazetteer gives one
};

// One place in a text where a name of a unit was found.
struct NameHit {
    std::uint32_t unit;
    std::uint32_t begin;  // code point offsets, [begin, end)
    std::uint32_t end;
    bool full_name;  // the official name rather than a short form or alias
};

class Gazetteer {
public:
    // Reads the gazetteer TSV format (GAZETTEER_NOTICE.md: '#' comments, the header
    // "code level parent name short aliases", one unit per row, parents first, aliases '|'-separated)
    // and builds it. Throws ConfigError naming `source` and the line of a malformed row.
    static Gazetteer from_tsv(std::istream& in, const std::string& source);

    // Adds a unit; the parent must have been added before (empty parent_code for a root). Throws
    // ConfigError for a duplicate code, an unknown parent or a level not below the parent's.
    std::uint32_t add_unit(const std::string& code, Level level, const std::string& parent_code,
                           const std::string& name, const std::vector<std::string>& other_names);
    // Prepares name matching; call once after the last add_unit.
    void build();

    std::size_t size() const noexcept { return units_.size(); }
    const Unit& unit(std::uint32_t index) const { return units_.at(index); }
    // Index of the unit with this code, or no_unit.
    std::int32_t find(const std::string& code) const;
    // The unit itself or its ancestor at `level`, or no_unit when the chain has none.
    std::int32_t ancestor_at(std::uint32_t index, Level level) const;
    // Chinese name path from the county (or the unit's own level when higher) down: 鄞州区百丈街道.
    std::string name_path(std::uint32_t index) const;
    // Indices of every unit at `level` (valid after build()).
    const std::vector<std::uint32_t>& units_at(Level level) const { return by_level_.at(level_index(level)); }
    // The root of the gazetteer's city, the unit that handles city-level events (no_unit if none).
    std::int32_t city() const noexcept { return city_; }

    // Sets a unit's centroid; throws ConfigError naming the unit for coordinates off the globe.
    void set_centroid(std::uint32_t index, double lat, double lon);
    // The unit at `level` with the nearest centroid to (lat, lon), at most `max_km` away and inside
    // `within` (a unit index, or no_unit for anywhere); no_unit when there is none. A linear scan of
    // the level: meant for reports that give coordinates but no usable address.
    std::int32_t nearest(double lat, double lon, Level level, std::int32_t within, double max_km) const;

    // Every occurrence of a unit name in a normalised text; a name shared by several units gives one
    // hit per unit.
    std::vector<NameHit> find_names(std::u32string_view text) const;

private:
    std::vector<Unit> units_;
    std::unordered_map<std::string, std::uint32_t> by_code_;
    PatternMatcher names_;
    std::vector<std::vector<std::pair<std::uint32_t, bool>>> pattern_units_;  // pattern -> (unit, full name)
    std::int32_t city_ = no_unit;
    std::size_t centroids_ = 0;  // units with a centroid
    std::vector<std::vector<std::uint32_t>> by_level_ = std::vector<std::vector<std::uint32_t>>(level_count);
    // Each unit's ancestor (or itself) per level, from build(): the parser asks for them per name hit.
    std::vector<std::array<std::int32_t, level_count>> ancestors_;
};

}  // namespace routing_core
