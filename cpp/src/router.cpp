#include "routing_core/router.hpp"

#include <algorithm>
#include <cmath>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {

std::int64_t hours_to_seconds(double hours) noexcept { return static_cast<std::int64_t>(std::llround(hours * 3600.0)); }

Router::Router(const RuleSet& rules, const Gazetteer& gazetteer) : rules_(&rules), gazetteer_(&gazetteer) {
    const auto& severities = rules.severities();
    for (std::uint32_t r = 0; r < severities.size(); ++r) {
        for (const auto& term : severities[r].terms) {
            const std::u32string pattern = normalise_text(utf8::decode(term));
            if (pattern.empty()) continue;
            const std::uint32_t id = matcher_.add(pattern);
            if (pattern_rules_.size() <= id) pattern_rules_.resize(id + 1);
            pattern_rules_[id].push_back(r);
        }
    }
    matcher_.build();
}

std::vector<std::uint32_t> Router::severities(std::u32string_view text) const {
    std::vector<std::uint32_t> fired;
    for (const PatternMatch& m : matcher_.find_all(text)) {
        for (std::uint32_t r : pattern_rules_[m.pattern]) {
            if (std::find(fired.begin(), fired.end(), r) == fired.end()) fired.push_back(r);
        }
    }
    std::sort(fired.begin(), fired.end());
    return fired;
}

std::int32_t Router::unit_for_level(std::int32_t unit, Level level) const {
    const Level unit_level = level == Level::grid ? Level::community : level;
    if (unit != no_unit) {
        const std::int32_t ancestor = gazetteer_->ancestor_at(static_cast<std::uint32_t>(unit), unit_level);
        if (ancestor != no_unit) return ancestor;
    }
    return gazetteer_->city();
}

Routing Router::route(std::uint32_t category, const std::vector<std::uint32_t>& severities, const Address& address,
                      std::int64_t time) const {
    const CategoryRule& rule = rules_->category(category);
    Routing routing;
    routing.level = rule.level;
    double hours = rule.deadline_hours;
    routing.rules_fired.push_back("category:" + rule.code);
    for (std::uint32_t s : severities) {
        const SeverityRule& severity = rules_->severities()[s];
        routing.level = std::max(routing.level, severity.min_level);
        hours = std::min(hours, severity.deadline_hours);
        routing.rules_fired.push_back("severity:" + severity.id);
    }

    // The lowest resolved unit at or above the handling level.
    const Level wanted = routing.level == Level::grid ? Level::community : routing.level;
    for (std::size_t l = level_index(wanted); l <= level_index(Level::city); ++l) {
        const std::int32_t unit = address.units[l];
        if (unit == no_unit) continue;
        routing.unit = unit;
        if (static_cast<Level>(l) != wanted) {
            routing.level = static_cast<Level>(l);
            routing.rules_fired.push_back(std::string("jurisdiction:unresolved-") + level_code(wanted));
        }
        break;
    }
    if (routing.unit == no_unit) {
        routing.unit = gazetteer_->city();
        routing.level = Level::city;
        routing.rules_fired.push_back("jurisdiction:no-unit");
    }
    routing.deadline = time + hours_to_seconds(hours);
    return routing;
}

}  // namespace routing_core
