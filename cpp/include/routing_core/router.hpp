// Routing: a classified report and its parsed address → lead platform, co-handlers, handling level,
// handling unit and deadline, with the ids of the rules that decided them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "routing_core/gazetteer.hpp"
#include "routing_core/pattern_matcher.hpp"
#include "routing_core/rules.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

struct Routing {
    Level level = Level::town;
    std::int32_t unit = no_unit;
    std::int64_t deadline = 0;
    std::vector<std::string> rules_fired;
};

class Router {
public:
    Router(const RuleSet& rules, const Gazetteer& gazetteer);

    // Severity rules whose terms occur in the text (indices into rules.severities()).
    std::vector<std::uint32_t> severities(std::u32string_view normalised_text) const;

    // Level: the category's default, raised by severity rules; unit: the address's unit at that level
    // (a grid-level event is handled inside its community's unit, as grids are not in the gazetteer).
    // When the address does not resolve that far, the event goes to the lowest resolved unit above it,
    // and to the city when nothing resolves; the level follows the unit.
    Routing route(std::uint32_t category, const std::vector<std::uint32_t>& severities, const Address& address,
                  std::int64_t time) const;

    // The unit that handles `level` for an event currently at `unit`: its ancestor at that level, or the
    // city when it has none.
    std::int32_t unit_for_level(std::int32_t unit, Level level) const;

private:
    const RuleSet* rules_;
    const Gazetteer* gazetteer_;
    PatternMatcher matcher_;
    std::vector<std::vector<std::uint32_t>> pattern_rules_;
};

std::int64_t hours_to_seconds(double hours) noexcept;

}  // namespace routing_core
