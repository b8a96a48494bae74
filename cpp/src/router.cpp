#include "routing_core/router.hpp"

#include <algorithm>
#include <cmath>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {

std::int64_t hours_to_seconds(double hours) noexcept { return static_cast<std::int64_t>(std::llround(hours * 3600.0)); }

Router::Router(const RuleSet& rules, const Gazetteer& gazetteer)
    : rules_(&rules), gazetteer_(&gazetteer), negation_(rules.rule_negation().cues, rules.rule_negation().window) {
    const auto& routing_rules = rules.routing_rules();
    for (std::uint32_t r = 0; r < routing_rules.size(); ++r) {
        const auto& terms = routing_rules[r].terms;
        for (std::uint32_t t = 0; t < terms.size(); ++t) {
            const std::u32string pattern = normalise_text(utf8::decode(terms[t]));
            if (pattern.empty()) continue;
            const std::uint32_t id = matcher_.add(pattern);
            if (pattern_terms_.size() <= id) pattern_terms_.resize(id + 1);
            pattern_terms_[id].push_back(TermHit{r, t});
        }
    }
    matcher_.build();
}

std::vector<TermHit> Router::term_hits(std::u32string_view text) const {
    std::vector<TermHit> hits;
    const NegationCues::Scan negation = negation_.scan(text);
    for (const PatternMatch& m : matcher_.find_all(text)) {
        if (negation.negated(m.begin)) continue;
        for (const TermHit& h : pattern_terms_[m.pattern]) {
            const auto same = [&](const TermHit& x) { return x.rule == h.rule; };
            if (std::find_if(hits.begin(), hits.end(), same) == hits.end()) hits.push_back(h);
        }
    }
    std::sort(hits.begin(), hits.end(), [](const TermHit& a, const TermHit& b) { return a.rule < b.rule; });
    return hits;
}

namespace {

bool contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

void add_unique(std::vector<std::uint32_t>& into, std::uint32_t x) {
    if (!contains(into, x)) into.push_back(x);
}

std::string hours_text(double hours) {
    std::string s = std::to_string(hours);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s + " h";
}

}  // namespace

Routing Router::route(const RouteInput& in, const std::vector<TermHit>& hits, const Address& address) const {
    const CategoryRule& category = rules_->category(in.category);
    Routing routing;
    routing.platform = category.platform;
    routing.level = category.level;
    const std::int64_t category_seconds = hours_to_seconds(category.deadline_hours);
    std::int64_t deadline = category.working_time ? rules_->calendar().add_working_seconds(in.time, category_seconds)
                                                  : in.time + category_seconds;

    const auto& all = rules_->routing_rules();
    std::vector<std::uint32_t> co_platforms = category.co_platforms;
    for (std::uint32_t i = 0; i < all.size(); ++i) {
        const RoutingRule& rule = all[i];
        std::uint32_t term = 0;
        if (!rule.terms.empty()) {
            const auto hit = std::lower_bound(hits.begin(), hits.end(), i,
                                              [](const TermHit& h, std::uint32_t r) { return h.rule < r; });
            if (hit == hits.end() || hit->rule != i) continue;
            term = hit->term;
        }
        if (!rule.channels.empty() &&
            std::find(rule.channels.begin(), rule.channels.end(), in.channel) == rule.channels.end()) {
            continue;
        }
        if (!rule.categories.empty() && !contains(rule.categories, in.category)) continue;
        if (in.reports < rule.min_reports || in.recurrences < rule.min_recurrences) continue;
        // Fired: apply its actions under the stated conflict resolution.
        if (rule.min_level) {
            routing.level = std::max(routing.level, *rule.min_level);
            routing.rule_level = std::max(routing.rule_level.value_or(Level::grid), *rule.min_level);
        }
        if (rule.deadline_hours) {  // emergencies count calendar time
            const std::int64_t rule_deadline = in.time + hours_to_seconds(*rule.deadline_hours);
            deadline = std::min(deadline, rule_deadline);
            routing.rule_deadline = std::min(routing.rule_deadline.value_or(rule_deadline), rule_deadline);
        }
        if (rule.platform >= 0 && routing.rule_platform < 0) {  // evaluation order: highest priority first
            routing.rule_platform = rule.platform;
            routing.platform = static_cast<std::uint32_t>(rule.platform);
        }
        for (std::uint32_t p : rule.co_platforms) {
            add_unique(co_platforms, p);
            add_unique(routing.rule_co_platforms, p);
        }
        routing.fired.push_back(FiredRule{i, term});
    }
    // A rule that moved the lead away from the category's platform leaves that platform co-handling.
    if (routing.platform != category.platform) co_platforms.insert(co_platforms.begin(), category.platform);
    for (std::uint32_t p : co_platforms) {
        if (p != routing.platform && !contains(routing.co_platforms, p)) routing.co_platforms.push_back(p);
    }
    std::sort(routing.co_platforms.begin(), routing.co_platforms.end());  // canonical: the platforms' order

    // The lowest resolved unit at or above the handling level.
    const Level wanted = routing.level == Level::grid ? Level::community : routing.level;
    routing.wanted = wanted;
    for (std::size_t l = level_index(wanted); l <= level_index(Level::city); ++l) {
        const std::int32_t unit = address.units[l];
        if (unit == no_unit) continue;
        routing.unit = unit;
        if (static_cast<Level>(l) != wanted) {  // a grid-level event stays at grid level inside its community
            routing.level = static_cast<Level>(l);
            routing.jurisdiction = Jurisdiction::unresolved;
        }
        break;
    }
    if (routing.unit == no_unit) {
        routing.unit = gazetteer_->city();
        routing.level = Level::city;
        routing.jurisdiction = Jurisdiction::no_unit;
    }
    routing.deadline = deadline;
    return routing;
}

void Router::explain(const RouteInput& in, const Routing& routing, std::vector<std::string>& ids,
                     std::vector<std::string>& reasons) const {
    const CategoryRule& category = rules_->category(in.category);
    ids.push_back("category:" + category.code);
    reasons.push_back("category " + category.label + ": " + rules_->platform_code(category.platform) + ", " +
                      level_code(category.level) + ", " + hours_text(category.deadline_hours) +
                      (category.working_time ? " of working time" : ""));
    for (const FiredRule& f : routing.fired) {
        const RoutingRule& rule = rules_->routing_rules()[f.rule];
        std::string why;
        const auto condition = [&why](const std::string& text) { why += (why.empty() ? "" : "; ") + text; };
        if (!rule.terms.empty()) condition("term " + rule.terms[f.term]);
        if (!rule.channels.empty()) condition("channel " + std::string(in.channel));
        if (!rule.categories.empty()) condition("category " + category.code);
        if (rule.min_reports > 0) {
            condition(std::to_string(in.reports) + " reports >= " + std::to_string(rule.min_reports));
        }
        if (rule.min_recurrences > 0) {
            condition(std::to_string(in.recurrences) + " recurrences >= " + std::to_string(rule.min_recurrences));
        }
        if (rule.min_level) why += std::string(" -> at least ") + level_code(*rule.min_level);
        if (rule.deadline_hours) why += " -> within " + hours_text(*rule.deadline_hours);
        if (rule.platform >= 0) why += " -> lead " + rules_->platform_code(static_cast<std::uint32_t>(rule.platform));
        for (std::uint32_t p : rule.co_platforms) why += " -> with " + rules_->platform_code(p);
        ids.push_back("rule:" + rule.id);
        reasons.push_back(std::move(why));
    }
    if (routing.jurisdiction == Jurisdiction::no_unit) {
        ids.push_back("jurisdiction:no-unit");
        reasons.push_back("the address names no unit of the gazetteer; handled by the city");
    } else if (routing.jurisdiction == Jurisdiction::unresolved) {
        ids.push_back(std::string("jurisdiction:unresolved-") + level_code(routing.wanted));
        reasons.push_back(std::string("the address names no ") + level_code(routing.wanted) + "; handled by the " +
                          level_code(routing.level) + " it names");
    }
}

std::string Router::rule_ids(const Routing& routing) const {
    std::string out;
    for (const FiredRule& f : routing.fired) out += (out.empty() ? "" : ",") + rules_->routing_rules()[f.rule].id;
    return out;
}

std::int32_t Router::unit_for_level(std::int32_t unit, Level level) const {
    const Level unit_level = level == Level::grid ? Level::community : level;
    if (unit != no_unit) {
        const std::int32_t ancestor = gazetteer_->ancestor_at(static_cast<std::uint32_t>(unit), unit_level);
        if (ancestor != no_unit) return ancestor;
    }
    return gazetteer_->city();
}

}  // namespace routing_core
