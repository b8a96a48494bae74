// Value types that flow along the hot path: Report in, Decision out, Event as state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace routing_core {

// Handling levels of the five-level chain, bottom to top, plus the province for address parsing.
enum class Level : std::uint8_t { grid = 0, community = 1, town = 2, county = 3, city = 4, province = 5 };
inline constexpr std::size_t level_count = 6;

const char* level_code(Level level) noexcept;
// Throws std::invalid_argument for an unknown code.
Level level_from_code(const std::string& code);
inline std::size_t level_index(Level level) noexcept { return static_cast<std::size_t>(level); }

inline constexpr std::int32_t no_unit = -1;

// A parsed, normalised address. Unit fields are gazetteer unit indices, no_unit when unknown.
// What matching compares comes first (normalised to building, and the position): its first four
// cache lines, which scoring fetches for a few candidates ahead.
struct Address {
    std::string normalised;
    std::array<std::int32_t, level_count> units{no_unit, no_unit, no_unit, no_unit, no_unit, no_unit};
    std::optional<double> lat;
    std::optional<double> lon;
    std::string road;      // 百丈东路
    std::string number;    // 168 (a lane-and-number is written 123弄5)
    std::string compound;  // residential compound or point of interest: 划船小区, 菜场
    std::string building;  // 3 (from 3幢, 3栋, 3号楼, 3座)
    std::string unit;      // 2 (from 2单元)
    std::string room;      // 301 (from 301室)
    std::string remainder; // what is left: 门口, 楼下, 往东50米
    std::vector<std::string> ambiguities;  // names that fit several units, each with the candidates
    double confidence = 0.0;               // share of the address that was understood, in [0, 1]
    bool placed_by_coordinates = false;  // some unit came from lat/lon, not from the text

    std::int32_t unit_at(Level level) const noexcept { return units[level_index(level)]; }
    // The finest administrative level resolved, or nullopt when none is.
    std::optional<Level> finest_level() const noexcept;
};

struct Report {
    std::string id;
    std::string text;
    std::string address;
    std::int64_t time = 0;  // seconds since the Unix epoch
    std::string source;     // channel code
    std::string category;   // optional hint: empty, or a category code of the rule set
    std::optional<double> lat;
    std::optional<double> lon;
};

// Per-feature similarities of a report against one candidate event, and their combination.
struct CandidateScore {
    std::string event_id;
    bool closed = false;
    double address = 0.0;
    double text = 0.0;
    double place = 0.0;  // how much of one side's address string the other side names (address or text)
    double coverage = 0.0;  // share of the report's words (place names aside) its event's reports used
    double category = 0.0;
    double hours_apart = 0.0;
    double recency = 0.0;  // exp(-hours_apart / time_scale_hours): 1 at the same moment
    double distance_m = -1.0;  // between the report's and the event's GPS positions; -1 when either has none
    double proximity = 0.0;    // MatchParams::proximity(distance_m)
    double channel = 0.0;      // 1 when one of the event's reports came from the report's channel
    double wording = 0.0;      // Indel ratio 2·LCS/(|a|+|b|) of the report's and the event's first wording
    double score = 0.0;
};

struct Decision {
    std::string report_id;
    std::string event_id;
    bool is_new = true;
    std::string duplicate_of;    // empty unless merged into an existing event
    std::string recurrence_of;   // empty unless the report reopens a closed event's problem
    bool needs_review = false;   // best score fell in the review band
    std::string review_event;    // the candidate a reviewer should compare with
    double score = 0.0;          // best candidate's match score, 0 with no candidate

    std::string category;
    double category_confidence = 0.0;
    bool category_from_hint = false;
    std::vector<std::string> evidence;  // classification terms found in the text

    std::string platform;
    std::vector<std::string> co_platforms;
    Level level = Level::town;
    std::string unit_code;
    std::string unit_name;
    std::int64_t deadline = 0;

    Address address;
    std::vector<CandidateScore> candidates;  // best first
    std::vector<std::string> rules_fired;
    std::vector<std::string> rule_reasons;  // why each of rules_fired fired, same order
};

struct EventStep {
    std::int64_t time = 0;
    std::string kind;  // opened, merged, raised, escalated, closed
    Level level = Level::town;
    std::string unit_code;
    std::string rule;  // id of the rule behind the step, may be empty
    std::string report_id;
};

// The state of one event as the API shows it.
struct EventView {
    std::string id;
    std::vector<std::string> report_ids;
    std::vector<std::string> sources;
    bool open = true;
    std::string category;
    std::string platform;
    std::vector<std::string> co_platforms;
    Level level = Level::town;
    std::string unit_code;
    std::string unit_name;
    std::int64_t opened = 0;
    std::int64_t last_report = 0;
    std::int64_t deadline = 0;
    std::optional<std::int64_t> closed;
    std::string resolution;
    std::string recurrence_of;
    std::vector<EventStep> history;
};

// What Engine::close_many did with one row: closed the event (its history's new step is at `level`
// in `unit_code`, with the event's deadline), or passed over a bad row.
struct Closing {
    bool closed = false;
    Level level = Level::town;
    std::string unit_code;
    std::int64_t deadline = 0;
};

struct Escalation {
    std::string event_id;
    Level from_level = Level::town;
    Level to_level = Level::county;
    std::string unit_code;
    std::string unit_name;
    std::int64_t time = 0;
    std::int64_t deadline = 0;
};

}  // namespace routing_core
