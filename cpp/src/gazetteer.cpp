#include "routing_core/gazetteer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "routing_core/error.hpp"
#include "routing_core/geo.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {
namespace {

std::vector<std::string> split_fields(const std::string& line, char separator) {
    std::vector<std::string> fields(1);
    for (char c : line) {
        if (c == separator) {
            fields.emplace_back();
        } else {
            fields.back().push_back(c);
        }
    }
    return fields;
}

}  // namespace

Gazetteer Gazetteer::from_tsv(std::istream& in, const std::string& source) {
    static const std::vector<std::string> header{"code", "level", "parent", "name", "short", "aliases"};
    static const std::vector<std::string> with_centroids{"code", "level", "parent", "name", "short", "aliases",
                                                         "lat", "lon"};
    Gazetteer g;
    std::string line;
    std::size_t lineno = 0;
    std::size_t columns = 0;  // 0 until the header is read
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        const std::string where = source + ":" + std::to_string(lineno) + ": ";
        const std::vector<std::string> fields = split_fields(line, '\t');
        if (columns == 0) {
            if (fields != header && fields != with_centroids) {
                throw ConfigError(where + "expected the header code level parent name short aliases [lat lon]");
            }
            columns = fields.size();
            continue;
        }
        if (fields.size() != columns) {
            throw ConfigError(where + "expected " + std::to_string(columns) + " tab-separated columns, got " +
                              std::to_string(fields.size()));
        }
        std::vector<std::string> others;
        if (!fields[4].empty()) others.push_back(fields[4]);
        for (std::string& alias : split_fields(fields[5], '|')) {
            if (!alias.empty()) others.push_back(std::move(alias));
        }
        try {
            const std::uint32_t index = g.add_unit(fields[0], level_from_code(fields[1]), fields[2], fields[3], others);
            if (columns == 8 && !(fields[6].empty() && fields[7].empty())) {
                g.set_centroid(index, std::stod(fields[6]), std::stod(fields[7]));
            }
        } catch (const Error& e) {
            throw ConfigError(where + e.what());
        } catch (const std::logic_error& e) {  // an unknown level, or lat/lon not a number
            throw ConfigError(where + e.what());
        }
    }
    if (columns == 0) throw ConfigError(source + ": no header line; expected code level parent name short aliases");
    g.build();
    return g;
}

std::uint32_t Gazetteer::add_unit(const std::string& code, Level level, const std::string& parent_code,
                                  const std::string& name, const std::vector<std::string>& other_names) {
    if (code.empty()) throw ConfigError("gazetteer unit '" + excerpt(name) + "': empty code");
    if (name.empty()) throw ConfigError("gazetteer unit " + excerpt(code) + ": empty name");
    if (by_code_.count(code) != 0) throw ConfigError("gazetteer: duplicate unit code " + excerpt(code));
    std::int32_t parent = no_unit;
    if (!parent_code.empty()) {
        parent = find(parent_code);
        if (parent == no_unit) {
            throw ConfigError("gazetteer unit " + excerpt(code) + ": unknown parent code " + excerpt(parent_code));
        }
        if (units_[static_cast<std::size_t>(parent)].level <= level) {
            throw ConfigError("gazetteer unit " + excerpt(code) + ": level " + level_code(level) +
                              " is not below its parent's");
        }
    }
    const auto index = static_cast<std::uint32_t>(units_.size());
    if (utf8::find_invalid(name) != std::string::npos) {
        throw ConfigError("gazetteer unit " + excerpt(code) + ": name is not valid UTF-8");
    }
    std::u32string normalised_name = normalise_address(utf8::decode(name));
    if (normalised_name.empty()) {  // a decision's unit_name would be blank, and no address could name it
        throw ConfigError("gazetteer unit " + excerpt(code) + ": name '" + excerpt(name) +
                          "' is blank after normalisation (spaces, invisible characters)");
    }
    units_.push_back(Unit{code, level, parent, name, std::move(normalised_name), std::nullopt});
    by_code_.emplace(code, index);
    if (level == Level::city && city_ == no_unit) city_ = static_cast<std::int32_t>(index);

    const auto register_name = [&](const std::string& written, bool full) {
        if (written.empty()) return;
        if (utf8::find_invalid(written) != std::string::npos) {
            throw ConfigError("gazetteer unit " + excerpt(code) + ": name is not valid UTF-8");
        }
        const std::u32string normalised = normalise_address(utf8::decode(written));
        if (normalised.size() < 2) return;  // one character names match everywhere
        const std::uint32_t pattern = names_.add(normalised);
        if (pattern_units_.size() <= pattern) pattern_units_.resize(pattern + 1);
        auto& owners = pattern_units_[pattern];
        const auto same_unit = [&](const auto& owner) { return owner.first == index; };
        if (std::none_of(owners.begin(), owners.end(), same_unit)) owners.emplace_back(index, full);
    };
    register_name(name, true);
    for (const auto& other : other_names) register_name(other, false);
    return index;
}

void Gazetteer::build() {
    names_.build();
    for (auto& level : by_level_) level.clear();
    for (std::uint32_t i = 0; i < units_.size(); ++i) by_level_[level_index(units_[i].level)].push_back(i);
    ancestors_.assign(units_.size(), {});
    for (std::uint32_t i = 0; i < units_.size(); ++i) {
        auto& row = ancestors_[i];
        row.fill(no_unit);
        for (auto current = static_cast<std::int32_t>(i); current != no_unit;
             current = units_[static_cast<std::size_t>(current)].parent) {
            row[level_index(units_[static_cast<std::size_t>(current)].level)] = current;
        }
    }
}

std::int32_t Gazetteer::find(const std::string& code) const {
    const auto it = by_code_.find(code);
    return it == by_code_.end() ? no_unit : static_cast<std::int32_t>(it->second);
}

std::int32_t Gazetteer::ancestor_at(std::uint32_t index, Level level) const {
    if (index < ancestors_.size()) return ancestors_[index][level_index(level)];
    auto current = static_cast<std::int32_t>(index);
    while (current != no_unit) {
        const Unit& u = units_[static_cast<std::size_t>(current)];
        if (u.level == level) return current;
        if (u.level > level) return no_unit;
        current = u.parent;
    }
    return no_unit;
}

std::string Gazetteer::name_path(std::uint32_t index) const {
    std::vector<std::uint32_t> chain;
    auto current = static_cast<std::int32_t>(index);
    while (current != no_unit) {
        const Unit& u = units_[static_cast<std::size_t>(current)];
        if (!chain.empty() && u.level > Level::county) break;
        chain.push_back(static_cast<std::uint32_t>(current));
        current = u.parent;
    }
    std::string path;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) path += units_[*it].name;
    return path;
}

std::vector<NameHit> Gazetteer::find_names(std::u32string_view text) const {
    std::vector<NameHit> hits;
    const std::vector<PatternMatch> matches = names_.find_all(text);
    hits.reserve(matches.size() + 4);
    for (const PatternMatch& m : matches) {
        for (const auto& [unit, full] : pattern_units_[m.pattern]) hits.push_back(NameHit{unit, m.begin, m.end, full});
    }
    return hits;
}

void Gazetteer::set_centroid(std::uint32_t index, double lat, double lon) {
    Unit& u = units_.at(index);
    if (!std::isfinite(lat) || !std::isfinite(lon) || lat < -90.0 || lat > 90.0 || lon < -180.0 || lon > 180.0) {
        throw ConfigError("gazetteer unit '" + u.code + "': centroid " + std::to_string(lat) + ", " + std::to_string(lon) +
                          " is not a WGS84 latitude, longitude");
    }
    if (!u.centroid) ++centroids_;
    u.centroid = std::make_pair(lat, lon);
}

std::int32_t Gazetteer::nearest(double lat, double lon, Level level, std::int32_t within, double max_km) const {
    std::int32_t best = no_unit;
    if (centroids_ == 0) return best;  // the bundled gazetteer has none: no scan for every GPS report
    double best_km = max_km;
    const Level within_level = within == no_unit ? Level::province : units_.at(static_cast<std::uint32_t>(within)).level;
    for (std::uint32_t i : units_at(level)) {
        const Unit& u = units_[i];
        if (!u.centroid) continue;
        if (within != no_unit && ancestor_at(i, within_level) != within) continue;
        const double km = metres_between(lat, lon, u.centroid->first, u.centroid->second) / 1000.0;
        if (km <= best_km) {
            best_km = km;
            best = static_cast<std::int32_t>(i);
        }
    }
    return best;
}

}  // namespace routing_core
