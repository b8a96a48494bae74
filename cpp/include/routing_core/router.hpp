// Routing: a classified report and its parsed address → lead platform, co-handlers, handling level,
// handling unit and deadline, with the ids of the rules that decided them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing_core/gazetteer.hpp"
#include "routing_core/negation.hpp"
#include "routing_core/pattern_matcher.hpp"
#include "routing_core/rules.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

// What the router needs besides the address: the event's category and counts, the report's channel.
struct RouteInput {
    std::uint32_t category = 0;
    std::string_view channel;
    std::uint32_t reports = 1;      // reports in the event, this one included
    std::uint32_t recurrences = 0;  // how many closed events this one recurs, along its chain
    std::int64_t time = 0;          // the report's time: deadlines count from it
};

// A routing rule whose terms occur in a text, and the first of its terms found.
struct TermHit {
    std::uint32_t rule = 0;  // index into RuleSet::routing_rules()
    std::uint32_t term = 0;  // index into that rule's terms
};

// A routing rule that fired, and the term that fired it (for rules with terms).
struct FiredRule {
    std::uint32_t rule = 0;  // index into RuleSet::routing_rules()
    std::uint32_t term = 0;
};

enum class Jurisdiction : std::uint8_t {
    resolved,    // the address names a unit at the handling level
    unresolved,  // it does not; the lowest unit above that it names handles the event
    no_unit,     // it names no unit at all; the city handles the event
};

// The routing decision, without strings: Router::explain() turns it into rule ids and reasons.
struct Routing {
    std::uint32_t platform = 0;
    std::vector<std::uint32_t> co_platforms;
    Level level = Level::town;
    Level wanted = Level::town;  // the level the rules asked for (grid asks for its community)
    Jurisdiction jurisdiction = Jurisdiction::resolved;
    std::int32_t unit = no_unit;
    std::int64_t deadline = 0;
    std::vector<FiredRule> fired;  // in evaluation order
    // What the fired routing rules (not the category) ask for; used when a merged report re-routes an
    // event, which only ever becomes more urgent.
    std::optional<Level> rule_level;
    std::optional<std::int64_t> rule_deadline;
    std::int32_t rule_platform = -1;
    std::vector<std::uint32_t> rule_co_platforms;
};

class Router {
public:
    Router(const RuleSet& rules, const Gazetteer& gazetteer);

    // Routing rules with a term in the text, ascending by rule index; a term preceded by a negation
    // cue of the rules ("没有起火") does not count.
    std::vector<TermHit> term_hits(std::u32string_view normalised_text) const;

    // Platform, co-handlers, level, unit and deadline by the conflict resolution of rules.hpp; the unit
    // is the address's unit at that level (a grid-level event is handled inside its community's unit,
    // as grids are not in the gazetteer). When the address does not resolve that far, the event goes to
    // the lowest resolved unit above it, and to the city when nothing resolves; the level follows.
    Routing route(const RouteInput& input, const std::vector<TermHit>& hits, const Address& address) const;

    // The ids of the rules behind a routing (category:CODE, rule:ID, jurisdiction:...) and why each fired,
    // in the same order; `input` must be the one routed.
    void explain(const RouteInput& input, const Routing& routing, std::vector<std::string>& ids,
                 std::vector<std::string>& reasons) const;
    // The fired routing rules' ids, comma-separated (for event history steps).
    std::string rule_ids(const Routing& routing) const;

    // The unit that handles `level` for an event currently at `unit`: its ancestor at that level, or the
    // city when it has none.
    std::int32_t unit_for_level(std::int32_t unit, Level level) const;

private:
    const RuleSet* rules_;
    const Gazetteer* gazetteer_;
    PatternMatcher matcher_;
    NegationCues negation_;
    std::vector<std::vector<TermHit>> pattern_terms_;  // pattern id -> (rule, term) pairs
};

std::int64_t hours_to_seconds(double hours) noexcept;

}  // namespace routing_core
