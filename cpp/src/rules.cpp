#include "routing_core/rules.hpp"

#include <algorithm>
#include <cmath>

#include "routing_core/error.hpp"
#include "routing_core/negation.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {
namespace {

void check_handling_level(const std::string& where, Level level) {
    if (level > Level::city) throw ConfigError(where + ": level must be one of grid..city, not province");
}

// Deadlines and escalation thresholds are counted in whole seconds (router.cpp's hours_to_seconds),
// and a working-time deadline is searched for at most ten years ahead (work_calendar.cpp): hours that
// round to no time at all, or that reach beyond that horizon (1e300 overflowed the arithmetic), are
// refused when the rules load rather than failing at the first report they route.
constexpr double max_hours = 87600.0;

void check_hours(const std::string& where, double hours) {
    if (!(hours * 3600.0 >= 0.5) || !(hours <= max_hours)) {
        throw ConfigError(where + ": hours must be from one second (0.000278) to 87600 (ten years), got " +
                          number_text(hours));
    }
}

// A category's score is the sum of its terms' weights (and a channel's hint), and its confidence a
// share of the scores: weights near the largest double summed to infinity, and the confidence to NaN.
// The documented scale is 1 to 5; a thousand leaves room for any other.
void check_weight(const std::string& where, double weight) {
    if (!(weight > 0.0) || !(weight <= 1000.0)) {
        throw ConfigError(where + ": weight must be above 0 and at most 1000, got " + number_text(weight));
    }
}

// A term (or negation cue) is matched in the normalised text: one of which nothing is left after
// normalisation (spaces, U+3000, U+200B) could never match, and was skipped without a word.
void check_term(const std::string& where, const char* what, const std::string& term) {
    if (term.empty()) throw ConfigError(where + ": empty " + what);
    if (utf8::find_invalid(term) != std::string::npos) {  // (decode's precondition)
        throw ConfigError(where + ": " + what + " is not valid UTF-8");
    }
    if (normalise_text(utf8::decode(term)).empty()) {
        throw ConfigError(where + ": " + what + " '" + excerpt(term) + "' is blank after normalisation " +
                          "(spaces, invisible characters): it could never match");
    }
}

}  // namespace

std::uint32_t RuleSet::add_platform(const std::string& code, const std::string& label) {
    if (code.empty()) throw ConfigError("platform: empty code");
    if (find_platform(code) >= 0) throw ConfigError("platform '" + excerpt(code) + "' defined twice");
    if (platforms_.size() >= 32) throw ConfigError("platform '" + excerpt(code) + "': at most 32 platforms");
    platforms_.emplace_back(code, label);
    return static_cast<std::uint32_t>(platforms_.size() - 1);
}

std::uint32_t RuleSet::add_category(const std::string& code, const std::string& label, const std::string& platform,
                                    const std::vector<std::string>& co_platforms, Level level,
                                    double deadline_hours, bool working_time) {
    const std::string where = "category '" + excerpt(code) + "'";
    if (code.empty()) throw ConfigError("category: empty code");
    if (find_category(code) >= 0) throw ConfigError(where + " defined twice");
    const std::int32_t lead = find_platform(platform);
    if (lead < 0) throw ConfigError(where + ": unknown platform '" + excerpt(platform) + "'");
    CategoryRule rule{code, label, static_cast<std::uint32_t>(lead), {}, level, deadline_hours, working_time};
    for (const auto& co : co_platforms) {
        const std::int32_t p = find_platform(co);
        if (p < 0) throw ConfigError(where + ": unknown co-platform '" + excerpt(co) + "'");
        if (p != lead) rule.co_platforms.push_back(static_cast<std::uint32_t>(p));
    }
    check_handling_level(where, level);
    check_hours(where + " deadline_hours", deadline_hours);
    categories_.push_back(std::move(rule));
    return static_cast<std::uint32_t>(categories_.size() - 1);
}

void RuleSet::add_term(const std::string& category, const std::string& term, double weight) {
    const std::int32_t c = find_category(category);
    if (c < 0) throw ConfigError("term '" + excerpt(term) + "': unknown category '" + excerpt(category) + "'");
    check_term("category '" + excerpt(category) + "'", "term", term);
    check_weight("category '" + excerpt(category) + "' term '" + excerpt(term) + "'", weight);
    terms_.push_back(Term{term, static_cast<std::uint32_t>(c), weight});
}

void RuleSet::add_rule(const RoutingRuleSpec& spec) {
    const std::string where = "rule '" + excerpt(spec.id) + "'";
    if (spec.id.empty()) throw ConfigError("rule: empty id");
    for (const auto& r : rules_) {
        if (r.id == spec.id) throw ConfigError(where + " defined twice");
    }
    RoutingRule rule;
    rule.id = spec.id;
    rule.priority = spec.priority;
    for (const auto& t : spec.terms) check_term(where, "term", t);
    rule.terms = spec.terms;
    for (const auto& c : spec.channels) {
        if (c.empty()) throw ConfigError(where + ": empty channel");
    }
    rule.channels = spec.channels;
    for (const auto& code : spec.categories) {
        const std::int32_t c = find_category(code);
        if (c < 0) throw ConfigError(where + ": unknown category '" + excerpt(code) + "'");
        rule.categories.push_back(static_cast<std::uint32_t>(c));
    }
    rule.min_reports = spec.min_reports;
    rule.min_recurrences = spec.min_recurrences;
    if (rule.terms.empty() && rule.channels.empty() && rule.categories.empty() && rule.min_reports == 0 &&
        rule.min_recurrences == 0) {
        throw ConfigError(where + ": no condition (terms, channels, categories, min_reports or min_recurrences)");
    }
    if (spec.min_level) check_handling_level(where, *spec.min_level);
    rule.min_level = spec.min_level;
    if (spec.deadline_hours) check_hours(where + " deadline_hours", *spec.deadline_hours);
    rule.deadline_hours = spec.deadline_hours;
    if (!spec.platform.empty()) {
        rule.platform = find_platform(spec.platform);
        if (rule.platform < 0) throw ConfigError(where + ": unknown platform '" + excerpt(spec.platform) + "'");
    }
    for (const auto& co : spec.co_platforms) {
        const std::int32_t p = find_platform(co);
        if (p < 0) throw ConfigError(where + ": unknown co-platform '" + excerpt(co) + "'");
        rule.co_platforms.push_back(static_cast<std::uint32_t>(p));
    }
    if (!rule.min_level && !rule.deadline_hours && rule.platform < 0 && rule.co_platforms.empty()) {
        throw ConfigError(where + ": no action (min_level, deadline_hours, platform or co_platforms)");
    }
    // Keep evaluation order: priority descending, file order among equals (stable insertion).
    const auto at = std::find_if(rules_.begin(), rules_.end(),
                                 [&](const RoutingRule& r) { return r.priority < rule.priority; });
    rules_.insert(at, std::move(rule));
}

void RuleSet::add_channel_hint(const std::string& channel, const std::string& category, double weight) {
    const std::string where = "channel hint '" + excerpt(channel) + "'";
    if (channel.empty()) throw ConfigError("channel hint: empty channel");
    const std::int32_t c = find_category(category);
    if (c < 0) throw ConfigError(where + ": unknown category '" + excerpt(category) + "'");
    check_weight(where, weight);
    channel_hints_.push_back(ChannelHint{channel, static_cast<std::uint32_t>(c), weight});
}

void RuleSet::set_level_hours(Level level, double hours) {
    check_handling_level(std::string("levels.") + level_code(level), level);
    check_hours(std::string("levels.") + level_code(level), hours);
    level_hours_[level_index(level)] = hours;
}

void RuleSet::set_fallback_category(const std::string& code) {
    const std::int32_t c = find_category(code);
    if (c < 0) throw ConfigError("fallback category '" + excerpt(code) + "' is not a defined category");
    fallback_ = static_cast<std::uint32_t>(c);
    fallback_set_ = true;
}

namespace {

NegationSpec checked_negation(const char* where, const std::vector<std::string>& cues, std::uint32_t window) {
    for (const auto& cue : cues) check_term(where, "cue", cue);
    if (window > max_negation_window) {
        throw ConfigError(std::string(where) + ": window must be at most " +
                          std::to_string(max_negation_window) + " characters, got " + std::to_string(window));
    }
    return NegationSpec{cues, window};
}

}  // namespace

void RuleSet::set_classification_negation(const std::vector<std::string>& cues, std::uint32_t window) {
    classification_negation_ = checked_negation("negation.classification", cues, window);
}

void RuleSet::set_rule_negation(const std::vector<std::string>& cues, std::uint32_t window) {
    rule_negation_ = checked_negation("negation.rules", cues, window);
}

void RuleSet::validate() const {
    if (categories_.empty()) throw ConfigError("rules define no category");
    if (!fallback_set_) throw ConfigError("rules define no fallback category");
    for (const auto& c : categories_) {
        if (c.working_time && !calendar_.configured()) {
            throw ConfigError("category '" + excerpt(c.code) + "' counts working time but the rules have no calendar");
        }
    }
    for (Level level : {Level::grid, Level::community, Level::town, Level::county, Level::city}) {
        if (level_hours_[level_index(level)] <= 0.0) {
            throw ConfigError(std::string("rules give no hours for level '") + level_code(level) + "'");
        }
    }
}

std::int32_t RuleSet::find_category(const std::string& code) const noexcept {
    for (std::size_t i = 0; i < categories_.size(); ++i) {
        if (categories_[i].code == code) return static_cast<std::int32_t>(i);
    }
    return -1;
}

std::int32_t RuleSet::find_platform(const std::string& code) const noexcept {
    for (std::size_t i = 0; i < platforms_.size(); ++i) {
        if (platforms_[i].first == code) return static_cast<std::int32_t>(i);
    }
    return -1;
}

}  // namespace routing_core
