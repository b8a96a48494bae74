#include "routing_core/address_parser.hpp"

#include <algorithm>
#include <set>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {
namespace {

constexpr char32_t separator = U'|';

bool is_road_suffix(char32_t cp) noexcept {
    return cp == U'路' || cp == U'街' || cp == U'巷' || cp == U'道';
}

bool is_direction(char32_t cp) noexcept {
    return cp == U'东' || cp == U'南' || cp == U'西' || cp == U'北' || cp == U'中';
}

// Characters that end a name when scanning backwards from a suffix: function words of colloquial
// addresses (在百丈东路, 靠近中山路, 百丈路与民安路交叉口).
bool is_name_break(char32_t cp) noexcept {
    return !is_cjk(cp) || cp == U'在' || cp == U'于' || cp == U'的' || cp == U'与' || cp == U'和' ||
           cp == U'近' || cp == U'靠' || cp == U'到' || cp == U'至' || cp == U'及';
}

// A short form (百丈) directly followed by a road suffix (百丈东路, 百丈路) is part of a road name, not a
// statement of jurisdiction.
bool short_name_is_road(std::u32string_view text, std::uint32_t end) {
    if (end < text.size() && is_road_suffix(text[end])) return true;
    if (end + 1 < text.size() && is_direction(text[end]) && is_road_suffix(text[end + 1])) return true;
    return end + 1 < text.size() && text[end] == U'大' && text[end + 1] == U'道';
}

// Keeps the longest hits and drops those inside a longer one (划船 inside 划船社区). Hits of equal span
// that belong to different units are all kept: that is an ambiguity, resolved by the hierarchy.
std::vector<NameHit> outermost_hits(std::vector<NameHit> hits) {
    std::sort(hits.begin(), hits.end(), [](const NameHit& a, const NameHit& b) {
        if (a.begin != b.begin) return a.begin < b.begin;
        return a.end > b.end;
    });
    std::vector<NameHit> kept;
    for (const NameHit& hit : hits) {
        const bool inside = std::any_of(kept.begin(), kept.end(), [&](const NameHit& k) {
            return k.begin <= hit.begin && hit.end <= k.end && (k.end - k.begin) > (hit.end - hit.begin);
        });
        const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const NameHit& k) {
            return hit.begin < k.end && k.begin < hit.end && !(k.begin == hit.begin && k.end == hit.end);
        });
        if (!inside && !overlaps) kept.push_back(hit);
    }
    return kept;
}

std::string join_names(const Gazetteer& g, const std::vector<std::uint32_t>& units) {
    std::string out;
    for (std::uint32_t u : units) {
        if (!out.empty()) out += "、";
        out += g.name_path(u);
    }
    return out;
}

// Resolves one level given the units already chosen above it. Returns the chosen unit or no_unit;
// records an ambiguity when several units remain.
std::int32_t resolve_level(const Gazetteer& g, Address& address, const std::vector<NameHit>& hits,
                           std::u32string_view text, Level level) {
    std::set<std::uint32_t> fitting;
    std::set<std::uint32_t> named;
    for (const NameHit& hit : hits) {
        if (g.unit(hit.unit).level != level) continue;
        named.insert(hit.unit);
        bool consistent = true;
        for (std::size_t above = level_index(level) + 1; above < level_count; ++above) {
            const std::int32_t chosen = address.units[above];
            if (chosen != no_unit && g.ancestor_at(hit.unit, static_cast<Level>(above)) != chosen) consistent = false;
        }
        if (consistent) fitting.insert(hit.unit);
    }
    if (fitting.size() == 1) return static_cast<std::int32_t>(*fitting.begin());
    if (fitting.size() > 1) {
        const NameHit* first = nullptr;
        for (const NameHit& hit : hits) {
            if (fitting.count(hit.unit) != 0) {
                first = &hit;
                break;
            }
        }
        const std::string written =
            utf8::encode(text.substr(first->begin, first->end - first->begin));
        address.ambiguities.push_back(written + ": " + std::string(level_code(level)) + " " +
                                      join_names(g, {fitting.begin(), fitting.end()}));
    } else if (!named.empty()) {
        address.ambiguities.push_back(std::string(level_code(level)) + " " +
                                      join_names(g, {named.begin(), named.end()}) +
                                      " does not lie in the units named above it");
    }
    return no_unit;
}

// Finds `digits` + one of `suffixes` in the residual text, blanks it out and returns the digits.
std::string take_numbered(std::u32string& text, const std::vector<std::u32string>& suffixes) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) continue;
        std::size_t j = i;
        while (j < text.size() && (is_digit(text[j]) || text[j] == U'-')) ++j;
        for (const auto& suffix : suffixes) {
            if (text.compare(j, suffix.size(), suffix) == 0) {
                std::u32string digits = text.substr(i, j - i);
                std::fill(text.begin() + static_cast<std::ptrdiff_t>(i),
                          text.begin() + static_cast<std::ptrdiff_t>(j + suffix.size()), separator);
                return utf8::encode(digits);
            }
        }
    }
    return {};
}

// Scans backwards from position `end` (exclusive) over at most `max_len` name characters.
std::size_t name_start(const std::u32string& text, std::size_t end, std::size_t max_len) {
    std::size_t start = end;
    while (start > 0 && end - start < max_len && !is_name_break(text[start - 1])) --start;
    return start;
}

// Road and number: 百丈东路168号, 长乐路123弄5号, 中山西路1号. Blanks out what it takes.
void take_road(std::u32string& text, Address& address) {
    for (std::size_t i = 1; i < text.size(); ++i) {
        std::size_t suffix_len = 0;
        if (text[i] == U'路' || text[i] == U'街' || text[i] == U'巷') suffix_len = 1;
        if (text[i] == U'道' && text[i - 1] == U'大') suffix_len = 1;
        if (suffix_len == 0) continue;
        const std::size_t end = i + 1;
        const std::size_t start = name_start(text, i, 8);
        if (i - start < 1) continue;  // a bare suffix character is no road
        address.road = utf8::encode(std::u32string_view(text).substr(start, end - start));
        std::fill(text.begin() + static_cast<std::ptrdiff_t>(start), text.begin() + static_cast<std::ptrdiff_t>(end),
                  separator);
        // Number right after the road: digits + 号, or digits + 弄 [+ digits + 号].
        std::size_t k = end;
        std::size_t d = k;
        while (d < text.size() && is_digit(text[d])) ++d;
        if (d > k && d < text.size() && text[d] == U'弄') {
            std::u32string number = text.substr(k, d - k) + U"弄";
            std::size_t e = d + 1;
            std::size_t f = e;
            while (f < text.size() && is_digit(text[f])) ++f;
            std::size_t stop = d + 1;
            if (f > e && f < text.size() && text[f] == U'号' && !(f + 1 < text.size() && text[f + 1] == U'楼')) {
                number += text.substr(e, f - e);
                stop = f + 1;
            }
            address.number = utf8::encode(number);
            std::fill(text.begin() + static_cast<std::ptrdiff_t>(k), text.begin() + static_cast<std::ptrdiff_t>(stop),
                      separator);
        } else if (d > k && d < text.size() && text[d] == U'号' && !(d + 1 < text.size() && text[d + 1] == U'楼')) {
            address.number = utf8::encode(std::u32string_view(text).substr(k, d - k));
            std::fill(text.begin() + static_cast<std::ptrdiff_t>(k), text.begin() + static_cast<std::ptrdiff_t>(d + 1),
                      separator);
        }
        return;
    }
}

// Residential compound or point of interest: the name before a typical suffix.
void take_compound(std::u32string& text, Address& address) {
    static const std::vector<std::u32string> suffixes{
        U"小区", U"花园", U"家园", U"新村", U"公寓", U"大厦", U"广场", U"菜市场", U"菜场", U"农贸市场", U"市场",
        U"公园", U"小学", U"中学", U"学校", U"幼儿园", U"医院", U"超市", U"商场", U"苑", U"府", U"城"};
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (const auto& suffix : suffixes) {
            if (text.compare(i, suffix.size(), suffix) != 0) continue;
            const std::size_t start = name_start(text, i, 8);
            const std::size_t end = i + suffix.size();
            if (i == start && suffix.size() < 2) continue;  // a lone 苑/城 is no name
            address.compound = utf8::encode(std::u32string_view(text).substr(start, end - start));
            std::fill(text.begin() + static_cast<std::ptrdiff_t>(start),
                      text.begin() + static_cast<std::ptrdiff_t>(end), separator);
            return;
        }
    }
}

}  // namespace

Address parse_address(const Gazetteer& gazetteer, std::u32string_view normalised) {
    Address address;
    address.normalised = utf8::encode(normalised);
    if (normalised.empty()) return address;

    std::vector<NameHit> hits;
    for (const NameHit& hit : gazetteer.find_names(normalised)) {
        if (!hit.full_name && short_name_is_road(normalised, hit.end)) continue;
        hits.push_back(hit);
    }
    hits = outermost_hits(std::move(hits));

    // Top-down: each level is chosen among the names that fit what was chosen above it; a unit
    // chosen at a lower level then fills in the levels above it that the text left out.
    for (Level level : {Level::province, Level::city, Level::county, Level::town, Level::community}) {
        const std::int32_t chosen = resolve_level(gazetteer, address, hits, normalised, level);
        if (chosen == no_unit) continue;
        for (std::size_t up = level_index(level); up < level_count; ++up) {
            const std::int32_t ancestor = gazetteer.ancestor_at(static_cast<std::uint32_t>(chosen), static_cast<Level>(up));
            if (ancestor != no_unit) address.units[up] = ancestor;
        }
    }

    std::u32string rest(normalised);
    std::size_t understood = 0;
    for (const NameHit& hit : hits) {
        std::fill(rest.begin() + hit.begin, rest.begin() + hit.end, separator);
    }
    take_road(rest, address);
    address.building = take_numbered(rest, {U"号楼", U"幢", U"栋", U"座"});
    address.unit = take_numbered(rest, {U"单元"});
    address.room = take_numbered(rest, {U"室"});
    if (address.number.empty()) address.number = take_numbered(rest, {U"号"});
    take_compound(rest, address);

    std::u32string remainder;
    for (char32_t cp : rest) {
        if (cp == separator) {
            ++understood;
            if (!remainder.empty() && remainder.back() != U' ') remainder.push_back(U' ');
        } else {
            remainder.push_back(cp);
        }
    }
    while (!remainder.empty() && remainder.back() == U' ') remainder.pop_back();
    while (!remainder.empty() && remainder.front() == U' ') remainder.erase(remainder.begin());
    address.remainder = utf8::encode(remainder);
    address.confidence = static_cast<double>(understood) / static_cast<double>(normalised.size());
    if (!address.ambiguities.empty()) address.confidence *= 0.5;
    return address;
}

std::string canonical_key(const Gazetteer& gazetteer, const Address& address) {
    std::string key;
    for (Level level : {Level::county, Level::town, Level::community}) {
        const std::int32_t u = address.unit_at(level);
        key += u == no_unit ? std::string() : gazetteer.unit(static_cast<std::uint32_t>(u)).code;
        key += '|';
    }
    key += address.road + '|' + address.number + '|' + address.compound + '|' + address.building + '|' +
           address.unit + '|' + address.room;
    return key;
}

}  // namespace routing_core
