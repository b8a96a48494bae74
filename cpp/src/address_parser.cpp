#include "routing_core/address_parser.hpp"

#include <algorithm>
#include <set>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {
namespace {

// What became of each code point of the address while parsing.
enum class Mark : std::uint8_t {
    free,       // not understood yet
    consumed,   // a unit name or a component
    kept,       // understood but kept in the remainder as written (a second road of an intersection)
};

struct Span {
    std::uint32_t begin;
    std::uint32_t end;
};

// Small sorted sets as vectors: the parser runs per report, and node-based sets cost an allocation
// per element.
using UnitSet = std::vector<std::uint32_t>;
using SpanSet = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

template <typename Set, typename T>
void insert_sorted(Set& set, const T& value) {
    const auto it = std::lower_bound(set.begin(), set.end(), value);
    if (it == set.end() || *it != value) set.insert(it, value);
}

template <typename Set, typename T>
bool contains(const Set& set, const T& value) {
    return std::binary_search(set.begin(), set.end(), value);
}

bool is_direction(char32_t cp) noexcept {
    return cp == U'东' || cp == U'南' || cp == U'西' || cp == U'北' || cp == U'中';
}

// Characters that end a name when scanning backwards: function words of colloquial addresses
// (在百丈东路, 靠近中山路, 百丈路与民安路交叉口).
bool is_name_break(char32_t cp) noexcept {
    return !is_cjk(cp) || cp == U'在' || cp == U'于' || cp == U'的' || cp == U'与' || cp == U'和' ||
           cp == U'近' || cp == U'靠' || cp == U'到' || cp == U'至' || cp == U'及' || cp == U'往' || cp == U'从';
}

bool ends_with(std::u32string_view text, std::u32string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// An official name ending in an administrative suffix (鄞州区, 百丈街道, 白沙路街道, 长街镇, 岔路村) is a
// statement of jurisdiction even when it contains a road suffix. Short forms are not (百丈, 长街, and
// 一市 or 庄市, whose 市 is no suffix), nor are two-character aliases; a longer alias is (江东区).
bool is_strong(std::u32string_view name, bool full_name) {
    if (full_name) {
        for (std::u32string_view suffix : {U"街道", U"社区", U"村", U"镇", U"乡", U"区", U"县", U"市", U"省"}) {
            if (ends_with(name, suffix)) return true;
        }
        return false;
    }
    if (name.size() < 3) return false;
    for (std::u32string_view suffix : {U"街道", U"社区", U"村", U"镇", U"乡", U"区", U"县"}) {
        if (ends_with(name, suffix)) return true;
    }
    return false;
}

// After 楼 of "N号楼": 下, 上, 前 ... make "N号" a house number and "楼下" a remainder (347号楼下).
bool is_floor_word(char32_t cp) noexcept {
    return cp == U'下' || cp == U'上' || cp == U'前' || cp == U'后' || cp == U'旁' || cp == U'边' || cp == U'顶' ||
           cp == U'道' || cp == U'梯' || cp == U'里' || cp == U'外' || cp == U'对';
}

bool haolou_is_building(std::u32string_view text, std::size_t after_lou) {
    return !(after_lou < text.size() && is_floor_word(text[after_lou]));
}

// Length of a road suffix starting at `i` (路, 街, 巷, 大道), 0 when there is none. 街 followed by 道
// is the suffix of a subdistrict (a town the gazetteer did not recognise), not a street.
std::size_t road_suffix_at(std::u32string_view text, std::size_t i) {
    const char32_t cp = text[i];
    if (cp == U'路' || cp == U'巷') return 1;
    if (cp == U'街') return i + 1 < text.size() && text[i + 1] == U'道' ? 0 : 1;
    if (cp == U'大' && i + 1 < text.size() && text[i + 1] == U'道') return 2;
    return 0;
}

// Roads in the text, in order: a name before a suffix, extended over a direction and a second
// suffix (横街西路, 白沙路东路). A name hit that ends at the suffix, or at a direction before it, or
// that holds the suffix itself, is the start of the road's name (百丈东路, 兰江北路 whatever 江北 is).
std::vector<Span> find_roads(std::u32string_view text, const std::vector<NameHit>& hits,
                             const std::vector<bool>& strong) {
    constexpr std::uint32_t none = UINT32_MAX;
    // For each end position: the earliest begin of a hit ending there that lies outside strong names.
    std::vector<std::uint32_t> earliest_begin(text.size() + 1, none);
    std::vector<bool> hit_ends(text.size() + 1, false);
    SpanSet hit_spans;
    hit_spans.reserve(hits.size());
    for (const NameHit& h : hits) {
        hit_ends[h.end] = true;
        hit_spans.emplace_back(h.begin, h.end);
        bool overlaps_strong = false;
        for (std::uint32_t k = h.begin; k < h.end && !overlaps_strong; ++k) overlaps_strong = strong[k];
        if (!overlaps_strong) earliest_begin[h.end] = std::min(earliest_begin[h.end], h.begin);
    }
    std::sort(hit_spans.begin(), hit_spans.end());
    std::vector<Span> roads;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t suffix = strong[i] ? 0 : road_suffix_at(text, i);
        if (suffix == 0) {
            ++i;
            continue;
        }
        const std::size_t s = i;
        std::size_t end = s + suffix;
        while (end + 1 < text.size() && is_direction(text[end]) &&
               (text[end + 1] == U'路' || text[end + 1] == U'街') && !strong[end] && !strong[end + 1]) {
            end += 2;
        }
        std::size_t start = s;
        const auto attach = [&](std::size_t hit_end) {
            if (earliest_begin[hit_end] < start) start = earliest_begin[hit_end];
        };
        attach(s);
        if (s > 0 && is_direction(text[s - 1])) attach(s - 1);
        for (std::size_t e = s + 1; e <= end; ++e) attach(e);
        // Backwards from the suffix over name characters, stopping at a strong name, a function
        // word or the end of another name.
        const auto scan_back = [&]() {
            std::size_t b = s;
            while (b > 0 && s - b < 6 && !strong[b - 1] && !is_name_break(text[b - 1]) && !(b < s && hit_ends[b])) {
                --b;
            }
            return b;
        };
        bool attached = start < s;
        if (!attached) start = scan_back();
        // A unit's short form that ends in a road suffix (周巷, 横街, 大施巷) names the unit unless a
        // house number follows it (横街128号), or unless it is only the end of a longer road name
        // (北路, a community's short form, in 宁南北路).
        const auto span = std::make_pair(static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end));
        bool unit_not_road = false;
        if (contains(hit_spans, span) && !(end < text.size() && is_digit(text[end]))) {
            const std::size_t longer = scan_back();
            if (longer < start) {
                start = longer;
                attached = false;
            } else {
                unit_not_road = true;
            }
        }
        // A direction alone before the suffix is no name either (东路 right after a unit's name).
        bool named = !unit_not_road && s > start && !(s - start == 1 && is_direction(text[start]) && !attached);
        // 柏沙路街道, 路埠镇: the name of a town the gazetteer did not recognise, not a road.
        const std::u32string_view after = text.substr(end);
        if (after.substr(0, 2) == U"街道" || after.substr(0, 1) == U"镇" || after.substr(0, 1) == U"乡") {
            named = false;
        }
        if (named) roads.push_back(Span{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end)});
        i = end;
    }
    return roads;
}

// Keeps the longest hits and drops those inside a longer one (划船 inside 划船社区). Hits of equal span
// that belong to different units are all kept: that is an ambiguity, resolved by the hierarchy.
std::vector<NameHit> outermost_hits(std::vector<NameHit> hits) {
    std::sort(hits.begin(), hits.end(), [](const NameHit& a, const NameHit& b) {
        if (a.begin != b.begin) return a.begin < b.begin;
        return a.end > b.end;
    });
    // Kept hits never overlap unless they share a span, so a new hit (sorted by begin) clashes exactly
    // when it starts before the last kept one ends and is not of the same span.
    std::vector<NameHit> kept;
    for (const NameHit& hit : hits) {
        if (!kept.empty()) {
            const NameHit& last = kept.back();
            const bool same_span = last.begin == hit.begin && last.end == hit.end;
            if (hit.begin < last.end && !same_span) continue;
        }
        kept.push_back(hit);
    }
    return kept;
}

std::string join_names(const Gazetteer& g, const UnitSet& units) {
    std::string out;
    for (std::uint32_t u : units) {
        if (!out.empty()) out += "、";
        out += g.name_path(u);
    }
    return out;
}

struct Ambiguity {
    Level level;
    std::string written;
    UnitSet candidates;
    bool conflict;  // the name fits no unit under the units named above it
};

// Chooses the units of every level, top-down: each level among the names that fit what was chosen
// above it; a unit chosen at a lower level then fills in the levels above it that the text left
// out. Several fitting units are an ambiguity: the levels above that all of them share are still
// known (two 划船社区 in one county give the county). A span that chose a unit at one level is not
// read again at a lower one (高桥 is the town 高桥镇, not also its village 高桥村).
void resolve_units(const Gazetteer& g, Address& address, const std::vector<NameHit>& hits,
                   std::u32string_view text, std::vector<Ambiguity>& ambiguities) {
    SpanSet used;  // spans that chose a unit, sorted
    UnitSet fitting;
    UnitSet named;
    std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>> full_names;  // span, unit
    for (Level level :
         {Level::province, Level::city, Level::county, Level::town, Level::community, Level::grid}) {
        if (address.unit_at(level) != no_unit) continue;
        fitting.clear();
        named.clear();
        full_names.clear();
        const NameHit* first = nullptr;
        for (const NameHit& hit : hits) {
            if (g.unit(hit.unit).level != level) continue;
            if (contains(used, std::make_pair(hit.begin, hit.end))) continue;
            // A short form that fits nothing named above it is most likely an ordinary word (东南角,
            // 东门, 文化广场); only an official name written in full is reported as a conflict.
            if (hit.full_name) insert_sorted(named, hit.unit);
            bool consistent = true;
            for (std::size_t above = level_index(level) + 1; above < level_count; ++above) {
                const std::int32_t chosen = address.units[above];
                if (chosen != no_unit && g.ancestor_at(hit.unit, static_cast<Level>(above)) != chosen) {
                    consistent = false;
                }
            }
            if (!consistent) continue;
            insert_sorted(fitting, hit.unit);
            if (first == nullptr) first = &hit;
            if (hit.full_name) full_names.push_back({{hit.begin, hit.end}, hit.unit});
        }
        // Names from several places in the text fit this level (深甽镇 and 凤山, the short form of both
        // 凤山街道 and 凤山社区): an official name written in full is the one that states this level,
        // the short forms are left to the levels below.
        if (fitting.size() > 1 && !full_names.empty()) {
            const auto& one = full_names.front();
            const bool single = std::all_of(full_names.begin(), full_names.end(), [&](const auto& f) {
                return f.first == one.first && f.second == one.second;
            });
            if (single) fitting.assign(1, one.second);
        }
        if (fitting.size() == 1) {
            const std::uint32_t chosen = *fitting.begin();
            for (std::size_t up = level_index(level); up < level_count; ++up) {
                const std::int32_t ancestor = g.ancestor_at(chosen, static_cast<Level>(up));
                if (ancestor != no_unit) address.units[up] = ancestor;
            }
            for (const NameHit& hit : hits) {
                if (hit.unit == chosen) insert_sorted(used, std::make_pair(hit.begin, hit.end));
            }
        } else if (fitting.size() > 1) {
            const std::string written = utf8::encode(text.substr(first->begin, first->end - first->begin));
            ambiguities.push_back(Ambiguity{level, written, fitting, false});
            for (std::size_t up = level_index(level) + 1; up < level_count; ++up) {
                std::int32_t shared = g.ancestor_at(*fitting.begin(), static_cast<Level>(up));
                for (std::uint32_t u : fitting) {
                    if (g.ancestor_at(u, static_cast<Level>(up)) != shared) shared = no_unit;
                }
                if (shared != no_unit && address.units[up] == no_unit) address.units[up] = shared;
            }
        } else if (!named.empty()) {
            ambiguities.push_back(Ambiguity{level, {}, named, true});  // official names that conflict
        }
    }
}

// A town name with a one-character slip (甬姜街道 for 甬江街道, 路埠镇 for 陆埠镇): an unrecognised
// name ending in 街道/镇/乡 that differs from exactly one town's full name (within the county, when it
// is known) in one character before the suffix. Returns the town, or no_unit.
std::int32_t misspelt_town(const Gazetteer& g, const Address& address, std::u32string_view text,
                           const std::vector<Mark>& marks, Span& where) {
    const std::int32_t county = address.unit_at(Level::county);
    std::vector<std::pair<std::u32string_view, std::uint32_t>> towns;
    std::size_t tried = 0;  // bounded: a text full of 镇 must not cost towns × length
    for (std::size_t i = 0; i < text.size() && tried < 8; ++i) {
        std::size_t suffix = 0;
        if (text[i] == U'镇' || text[i] == U'乡') suffix = 1;
        if (text[i] == U'街' && i + 1 < text.size() && text[i + 1] == U'道') suffix = 2;
        if (suffix == 0 || marks[i] != Mark::free) continue;
        ++tried;
        if (towns.empty()) {
            for (std::uint32_t t : g.units_at(Level::town)) {
                if (county != no_unit && g.ancestor_at(t, Level::county) != county) continue;
                towns.emplace_back(g.unit(t).normalised_name, t);
            }
        }
        // The written name is the whole run of free name characters before the suffix when that run
        // is short (衡溪 in 鄞州区衡溪镇, not just 溪); a longer run is tried at every length.
        std::size_t run = 0;
        while (run < i && run < 5 && marks[i - run - 1] == Mark::free && is_cjk(text[i - run - 1]) &&
               !is_name_break(text[i - run - 1])) {
            ++run;
        }
        std::set<std::uint32_t> found;
        for (std::size_t len = run <= 4 ? run : 2; len >= 2 && len <= std::min<std::size_t>(run, 4); ++len) {
            const std::size_t begin = i - len;
            const std::u32string_view written = text.substr(begin, len + suffix);
            for (const auto& [name, t] : towns) {
                if (name.size() != written.size() || !ends_with(name, written.substr(len))) continue;
                std::size_t differences = 0;
                for (std::size_t k = 0; k < len; ++k) differences += name[k] != written[k];
                if (differences == 1) {
                    found.insert(t);
                    where = Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(i + suffix)};
                }
            }
        }
        if (found.size() == 1) return static_cast<std::int32_t>(*found.begin());
    }
    return no_unit;
}

void mark(std::vector<Mark>& marks, std::size_t begin, std::size_t end, Mark m) {
    for (std::size_t k = begin; k < end && k < marks.size(); ++k) marks[k] = m;
}

bool all_free(const std::vector<Mark>& marks, std::size_t begin, std::size_t end) {
    if (end > marks.size()) return false;
    for (std::size_t k = begin; k < end; ++k) {
        if (marks[k] != Mark::free) return false;
    }
    return true;
}

// Finds free `digits` + one of `suffixes`, consumes it and returns the digits.
std::string take_numbered(std::u32string_view text, std::vector<Mark>& marks,
                          std::initializer_list<std::u32string_view> suffixes) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_digit(text[i]) || marks[i] != Mark::free || (i > 0 && is_digit(text[i - 1]))) continue;
        std::size_t j = i;
        while (j < text.size() && (is_digit(text[j]) || text[j] == U'-') && marks[j] == Mark::free) ++j;
        for (std::u32string_view suffix : suffixes) {
            if (text.substr(j, suffix.size()) != suffix || !all_free(marks, j, j + suffix.size())) continue;
            if (suffix == U"号楼" && !haolou_is_building(text, j + suffix.size())) continue;
            mark(marks, i, j + suffix.size(), Mark::consumed);
            return utf8::encode(text.substr(i, j - i));
        }
    }
    return {};
}

// A room written as bare digits right after a number, building or unit (3号502, 2单元1203): three or
// four digits that end the text or are followed by no counter.
std::string take_bare_room(std::u32string_view text, std::vector<Mark>& marks) {
    for (std::size_t i = 1; i < text.size(); ++i) {
        if (!is_digit(text[i]) || marks[i] != Mark::free || marks[i - 1] != Mark::consumed) continue;
        const char32_t before = text[i - 1];
        if (before != U'号' && before != U'幢' && before != U'栋' && before != U'座' && before != U'元' &&
            before != U'楼') {
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && is_digit(text[j]) && marks[j] == Mark::free) ++j;
        if (j - i < 3 || j - i > 4) continue;
        if (j < text.size() && (marks[j] != Mark::free || is_cjk(text[j]))) continue;
        mark(marks, i, j, Mark::consumed);
        return utf8::encode(text.substr(i, j - i));
    }
    return {};
}

// The house number right after a road: 168号, 123弄, 123弄5号.
void take_road_number(std::u32string_view text, std::vector<Mark>& marks, std::size_t k, Address& address) {
    std::size_t d = k;
    while (d < text.size() && is_digit(text[d]) && marks[d] == Mark::free) ++d;
    if (d == k || d >= text.size() || marks[d] != Mark::free) return;
    if (text[d] == U'弄') {
        std::u32string number(text.substr(k, d - k));
        number += U'弄';
        std::size_t stop = d + 1;
        std::size_t f = stop;
        while (f < text.size() && is_digit(text[f]) && marks[f] == Mark::free) ++f;
        if (f > stop && f < text.size() && text[f] == U'号' &&
            !(f + 1 < text.size() && text[f + 1] == U'楼' && haolou_is_building(text, f + 2))) {
            number += text.substr(stop, f - stop);
            stop = f + 1;
        }
        address.number = utf8::encode(number);
        mark(marks, k, stop, Mark::consumed);
    } else if (text[d] == U'号' &&
               !(d + 1 < text.size() && text[d + 1] == U'楼' && haolou_is_building(text, d + 2))) {
        address.number = utf8::encode(text.substr(k, d - k));
        mark(marks, k, d + 1, Mark::consumed);
    }
}

// Suffixes of residential compounds and points of interest (take_compound; the longest first where
// one holds another).
constexpr std::u32string_view compound_suffixes[] = {
    U"农贸市场", U"菜市场", U"小区", U"花园", U"家园", U"新村", U"公寓", U"大厦", U"广场", U"菜场", U"市场",
    U"公园", U"小学", U"中学", U"学校", U"幼儿园", U"医院", U"超市", U"商场", U"苑", U"府", U"城"};

// A compound named after a village or community, as many are (小湾塘花园 in 小湾塘村, 宝前新村): a
// unit's short form right before a compound suffix of two or more characters is the start of the
// compound's name, not a statement of jurisdiction on its own, and the suffix is no unit's name
// (花园 is also the short form of some 花园村). An official name (宝前村, 划船社区) before a suffix
// stays a unit: 划船社区菜场 is the market of 划船社区.
struct NamedCompound {
    std::uint32_t begin = 0;
    std::uint32_t join = 0;  // where the unit's short form ends and the suffix begins
    std::uint32_t end = 0;   // 0: none
};

// The first compound named after a unit in the text (by where it begins).
NamedCompound unit_named_compound(std::u32string_view text, const std::vector<NameHit>& hits) {
    NamedCompound best;
    for (const NameHit& h : hits) {
        if (h.full_name || is_strong(text.substr(h.begin, h.end - h.begin), false)) continue;
        if (best.end != 0 && h.begin >= best.begin) continue;
        std::size_t length = 0;
        for (std::u32string_view suffix : compound_suffixes) {
            if (suffix.size() >= 2 && text.substr(h.end, suffix.size()) == suffix) {
                length = std::max(length, suffix.size());
            }
        }
        if (length == 0) continue;
        const auto end = static_cast<std::uint32_t>(h.end + length);
        // Not when another name runs across the join and covers the whole compound or goes past its end
        // (a unit whose own name holds the suffix: 宝前新村社区). One that begins inside the short form
        // and ends within the suffix is the weaker reading (塘花园村 in 小湾塘花园 leaves 小湾 unread).
        const bool crossed = std::any_of(hits.begin(), hits.end(), [&](const NameHit& o) {
            const bool across = o.begin < h.end && o.end > h.end;
            return across && (o.end > end || o.begin <= h.begin);
        });
        if (!crossed) best = NamedCompound{h.begin, h.end, end};
    }
    return best;
}

// Compound names may hold 和 (嘉和苑), which elsewhere joins two roads.
bool is_compound_break(char32_t cp) noexcept { return cp != U'和' && is_name_break(cp); }

// Residential compound or point of interest: in the first run of free name characters that holds a
// typical suffix, the name up to the last suffix of the run (绿城家园, not 绿城 + 家园).
void take_compound(std::u32string_view text, std::vector<Mark>& marks, Address& address) {
    const auto& suffixes = compound_suffixes;
    std::size_t i = 0;
    while (i < text.size()) {
        if (marks[i] != Mark::free || is_compound_break(text[i])) {
            ++i;
            continue;
        }
        std::size_t run_end = i;
        while (run_end < text.size() && marks[run_end] == Mark::free && !is_compound_break(text[run_end])) {
            ++run_end;
        }
        std::size_t best_end = 0;
        for (std::size_t p = i; p < run_end; ++p) {
            for (std::u32string_view suffix : suffixes) {
                if (p + suffix.size() > run_end || text.substr(p, suffix.size()) != suffix) continue;
                if (suffix.size() == 1 && p == i) continue;  // a lone 苑/城 is no name
                best_end = std::max(best_end, p + suffix.size());
            }
        }
        if (best_end != 0) {
            std::size_t start = best_end - i > 10 ? best_end - 10 : i;
            // A demonstrative is no part of the name (那个菜场, 这家超市).
            if (best_end - start > 3 && (text[start] == U'那' || text[start] == U'这') &&
                (text[start + 1] == U'个' || text[start + 1] == U'家' || text[start + 1] == U'边')) {
                start += 2;
            }
            address.compound = utf8::encode(text.substr(start, best_end - start));
            mark(marks, start, best_end, Mark::consumed);
            return;
        }
        i = run_end;
    }
}

}  // namespace

Address parse_address(const Gazetteer& gazetteer, std::u32string_view normalised) {
    Address address;
    address.normalised = utf8::encode(normalised);
    if (normalised.empty()) return address;
    const std::size_t n = normalised.size();

    std::vector<NameHit> all_hits = gazetteer.find_names(normalised);
    std::vector<bool> strong(n, false);
    for (const NameHit& hit : all_hits) {
        const std::u32string_view name = normalised.substr(hit.begin, hit.end - hit.begin);
        // A village's name right before a road suffix names the road (裘村东路, 岔路村 aside).
        std::size_t after = hit.end;
        if (after < n && is_direction(normalised[after])) ++after;
        if (ends_with(name, U"村") && after < n && road_suffix_at(normalised, after) != 0) continue;
        if (is_strong(name, hit.full_name)) {
            for (std::uint32_t k = hit.begin; k < hit.end; ++k) strong[k] = true;
        }
    }
    const std::vector<Span> roads = find_roads(normalised, all_hits, strong);

    // Names inside a road's name are not statements of jurisdiction (百丈东路 is not 百丈街道).
    std::vector<bool> in_road(n, false);
    for (const Span& r : roads) std::fill(in_road.begin() + r.begin, in_road.begin() + r.end, true);
    all_hits.erase(std::remove_if(all_hits.begin(), all_hits.end(),
                                  [&](const NameHit& hit) {
                                      for (std::uint32_t k = hit.begin; k < hit.end; ++k) {
                                          if (in_road[k]) return true;
                                      }
                                      return false;
                                  }),
                   all_hits.end());
    // The suffix of a compound named after a unit names no unit itself (see unit_named_compound).
    const NamedCompound named_compound = unit_named_compound(normalised, all_hits);
    if (named_compound.end != 0) {
        all_hits.erase(std::remove_if(all_hits.begin(), all_hits.end(),
                                      [&](const NameHit& hit) {
                                          return hit.end > named_compound.join && hit.begin < named_compound.end;
                                      }),
                       all_hits.end());
    }
    const std::vector<NameHit> hits = outermost_hits(std::move(all_hits));

    std::vector<Ambiguity> ambiguities;
    resolve_units(gazetteer, address, hits, normalised, ambiguities);

    // The names that count: a chosen unit's, a candidate of an ambiguity, or any official name.
    // Other short forms (文化 of some 文化社区 in 宁波文化广场) stay free for compounds and the remainder.
    std::vector<Mark> marks(n, Mark::free);
    const auto mark_names = [&] {
        for (const NameHit& hit : hits) {
            const Level level = gazetteer.unit(hit.unit).level;
            bool counts = hit.full_name || address.unit_at(level) == static_cast<std::int32_t>(hit.unit);
            for (const Ambiguity& a : ambiguities) {
                counts = counts || (!a.conflict && a.level == level && contains(a.candidates, hit.unit));
            }
            if (counts) mark(marks, hit.begin, hit.end, Mark::consumed);
        }
    };
    mark_names();
    for (std::size_t r = 0; r < roads.size(); ++r) {
        mark(marks, roads[r].begin, roads[r].end, r == 0 ? Mark::consumed : Mark::kept);
    }

    double certainty = 1.0;
    {
        Span where{0, 0};
        const std::int32_t town = misspelt_town(gazetteer, address, normalised, marks, where);
        const std::int32_t known = address.unit_at(Level::town);
        if (town != no_unit && (known == no_unit || known == town)) {
            mark(marks, where.begin, where.end, Mark::consumed);
            certainty = 0.8;
            if (known == no_unit) {
                for (std::size_t up = level_index(Level::town); up < level_count; ++up) {
                    const std::int32_t a =
                        gazetteer.ancestor_at(static_cast<std::uint32_t>(town), static_cast<Level>(up));
                    if (a != no_unit) address.units[up] = a;
                }
                address.units[level_index(Level::community)] = no_unit;
                ambiguities.clear();
                resolve_units(gazetteer, address, hits, normalised, ambiguities);
                mark_names();
            }
        }
    }

    // An ambiguity that a lower level settled (the village named gives one of the candidate towns)
    // is no longer one.
    for (const Ambiguity& a : ambiguities) {
        const std::int32_t chosen = address.unit_at(a.level);
        const bool settled = chosen != no_unit && contains(a.candidates, static_cast<std::uint32_t>(chosen));
        if (!a.conflict && settled) continue;
        if (a.conflict) {
            address.ambiguities.push_back(std::string(level_code(a.level)) + " " +
                                          join_names(gazetteer, a.candidates) +
                                          " does not lie in the units named above it");
        } else {
            address.ambiguities.push_back(a.written + ": " + std::string(level_code(a.level)) + " " +
                                          join_names(gazetteer, a.candidates));
        }
    }

    if (!roads.empty()) {
        address.road = utf8::encode(normalised.substr(roads[0].begin, roads[0].end - roads[0].begin));
        take_road_number(normalised, marks, roads[0].end, address);
    }
    address.building = take_numbered(normalised, marks, {U"号楼", U"幢", U"栋", U"座"});
    address.unit = take_numbered(normalised, marks, {U"单元"});
    address.room = take_numbered(normalised, marks, {U"室"});
    if (address.room.empty()) address.room = take_bare_room(normalised, marks);
    if (address.number.empty()) address.number = take_numbered(normalised, marks, {U"号"});
    if (named_compound.end != 0 && all_free(marks, named_compound.join, named_compound.end)) {
        address.compound = utf8::encode(normalised.substr(named_compound.begin, named_compound.end - named_compound.begin));
        mark(marks, named_compound.begin, named_compound.end, Mark::consumed);
    } else {
        take_compound(normalised, marks, address);
    }

    std::u32string remainder;
    std::size_t understood = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (marks[k] == Mark::consumed) {
            ++understood;
            if (!remainder.empty() && remainder.back() != U' ') remainder.push_back(U' ');
            continue;
        }
        if (marks[k] == Mark::kept) ++understood;
        remainder.push_back(normalised[k]);
    }
    while (!remainder.empty() && remainder.back() == U' ') remainder.pop_back();
    address.remainder = utf8::encode(remainder);
    address.confidence = certainty * static_cast<double>(understood) / static_cast<double>(n);
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
