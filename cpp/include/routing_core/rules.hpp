// The routing rules as tables: platforms, categories (lead platform, co-handlers, default level,
// deadline, classification terms), severity rules, and the hours an event may stay at each level.
// Loaded from the rules file by the Python layer; immutable once an Engine holds it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "routing_core/types.hpp"
#include "routing_core/work_calendar.hpp"

namespace routing_core {

struct CategoryRule {
    std::string code;
    std::string label;
    std::uint32_t platform = 0;
    std::vector<std::uint32_t> co_platforms;
    Level level = Level::town;
    double deadline_hours = 72.0;
    bool working_time = false;  // the deadline counts working time of the rules' calendar
};

// A channel that is itself evidence of a category (a market-regulation hotline, a fire-safety app):
// reports through it add `weight` to the category's classification score.
struct ChannelHint {
    std::string channel;
    std::uint32_t category = 0;
    double weight = 1.0;
};

struct Term {
    std::string text;
    std::uint32_t category = 0;
    double weight = 1.0;
};

// A routing rule: when all of its conditions hold for a report (and the event it joins), its actions
// apply. Conflict resolution, the same whatever the order of the file: the level is the highest of the
// category's level and every fired rule's min_level; the deadline is the shortest of the category's and
// every fired rule's deadline_hours; the lead platform comes from the fired rule with the highest
// priority that sets one (ties: the earlier rule in the file), else from the category; co-handlers are
// the union of the category's, every fired rule's, and the category's own platform when a rule moved
// the lead away from it, minus the lead.
struct RoutingRule {
    std::string id;
    std::int32_t priority = 0;
    // Conditions; an empty or zero condition is not checked. A rule has at least one.
    std::vector<std::string> terms;          // any of them occurs in the report's normalised text
    std::vector<std::string> channels;       // the report came through one of these channels
    std::vector<std::uint32_t> categories;   // the event's category is one of these
    std::uint32_t min_reports = 0;           // the event has at least this many reports
    std::uint32_t min_recurrences = 0;       // the event recurs an earlier one at least this many times
    // Actions; a rule has at least one.
    std::optional<Level> min_level;
    std::optional<double> deadline_hours;
    std::int32_t platform = -1;              // lead platform override, -1 for none
    std::vector<std::uint32_t> co_platforms;
};

// What a rules file says about a routing rule, by name (validated and resolved by RuleSet::add_rule).
struct RoutingRuleSpec {
    std::string id;
    std::int32_t priority = 0;
    std::vector<std::string> terms;
    std::vector<std::string> channels;
    std::vector<std::string> categories;
    std::uint32_t min_reports = 0;
    std::uint32_t min_recurrences = 0;
    std::optional<Level> min_level;
    std::optional<double> deadline_hours;
    std::string platform;
    std::vector<std::string> co_platforms;
};

struct NegationSpec {
    std::vector<std::string> cues;
    std::uint32_t window = 0;
};

class RuleSet {
public:
    // Each add_* throws ConfigError naming the entry when it is inconsistent (duplicate code, unknown
    // platform or category, hours outside one second..ten years, a weight outside (0, 1000], a level
    // outside grid..city).
    std::uint32_t add_platform(const std::string& code, const std::string& label);
    std::uint32_t add_category(const std::string& code, const std::string& label, const std::string& platform,
                               const std::vector<std::string>& co_platforms, Level level, double deadline_hours,
                               bool working_time = false);
    void add_term(const std::string& category, const std::string& term, double weight);
    // Throws ConfigError for an empty channel, an unknown category or a weight outside (0, 1000].
    void add_channel_hint(const std::string& channel, const std::string& category, double weight);
    // Throws ConfigError naming the rule: duplicate id, no condition or no action, unknown category or
    // platform, empty term or channel, bad level or hours.
    void add_rule(const RoutingRuleSpec& spec);
    void set_level_hours(Level level, double hours);
    void set_fallback_category(const std::string& code);
    // Negation cues (see negation.hpp), one list for classification terms and one for routing-rule terms:
    // "无人员伤亡" must not fire a casualty rule, while "没有清运" is still a sanitation complaint. None by
    // default.
    void set_classification_negation(const std::vector<std::string>& cues, std::uint32_t window);
    void set_rule_negation(const std::vector<std::string>& cues, std::uint32_t window);
    // The working calendar for categories whose deadlines count working time.
    void set_calendar(WorkCalendar calendar) { calendar_ = std::move(calendar); }
    // Checks completeness (a category, a fallback, hours for every level); throws ConfigError.
    void validate() const;

    std::int32_t find_category(const std::string& code) const noexcept;
    std::int32_t find_platform(const std::string& code) const noexcept;
    const CategoryRule& category(std::uint32_t index) const { return categories_.at(index); }
    const std::string& platform_code(std::uint32_t index) const { return platforms_.at(index).first; }
    std::size_t category_count() const noexcept { return categories_.size(); }
    const std::vector<Term>& terms() const noexcept { return terms_; }
    const std::vector<ChannelHint>& channel_hints() const noexcept { return channel_hints_; }
    // In evaluation order: priority descending, then file order.
    const std::vector<RoutingRule>& routing_rules() const noexcept { return rules_; }
    const std::string& platform_label(std::uint32_t index) const { return platforms_.at(index).second; }
    std::size_t platform_count() const noexcept { return platforms_.size(); }
    double level_hours(Level level) const { return level_hours_.at(level_index(level)); }
    std::uint32_t fallback_category() const noexcept { return fallback_; }
    const NegationSpec& classification_negation() const noexcept { return classification_negation_; }
    const NegationSpec& rule_negation() const noexcept { return rule_negation_; }
    const WorkCalendar& calendar() const noexcept { return calendar_; }

private:
    std::vector<std::pair<std::string, std::string>> platforms_;
    std::vector<CategoryRule> categories_;
    std::vector<Term> terms_;
    std::vector<ChannelHint> channel_hints_;
    std::vector<RoutingRule> rules_;
    std::array<double, level_count> level_hours_{0, 0, 0, 0, 0, 0};
    std::uint32_t fallback_ = 0;
    NegationSpec classification_negation_;
    NegationSpec rule_negation_;
    WorkCalendar calendar_;
    bool fallback_set_ = false;
};

}  // namespace routing_core
