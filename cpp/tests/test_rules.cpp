#include "routing_core/rules.hpp"

#include <gtest/gtest.h>

#include "routing_core/error.hpp"
#include "routing_core/negation.hpp"
#include "test_fixtures.hpp"

namespace routing_core {
namespace {

TEST(RuleSet, RejectsInconsistentCategories) {
    RuleSet r;
    r.add_platform("governance", "综治工作");
    EXPECT_THROW(r.add_category("x", "x", "nowhere", {}, Level::town, 24), ConfigError);
    EXPECT_THROW(r.add_category("x", "x", "governance", {}, Level::town, -1), ConfigError);
    EXPECT_THROW(r.add_category("x", "x", "governance", {}, Level::province, 24), ConfigError);
    EXPECT_THROW(r.validate(), ConfigError);
}

TEST(RuleSet, HoursRunFromOneSecondToTenYearsAndWeightsToAThousand) {
    RuleSet r;
    r.add_platform("governance", "综治工作");
    // 1e300 hours overflowed the deadline's arithmetic; 0.0001 h rounds to no time at all.
    for (const double hours : {1e300, 87600.5, 0.0001, 0.0}) {
        EXPECT_THROW(r.add_category("x", "x", "governance", {}, Level::town, hours), ConfigError) << hours;
        EXPECT_THROW(r.set_level_hours(Level::town, hours), ConfigError) << hours;
    }
    r.add_category("a", "a", "governance", {}, Level::town, 87600.0);
    r.add_category("b", "b", "governance", {}, Level::town, 0.5 / 3600.0);  // rounds to one second
    r.set_level_hours(Level::city, 87600.0);
    EXPECT_THROW(r.add_term("a", "信访", 1000.5), ConfigError);
    EXPECT_THROW(r.add_channel_hint("hotline", "a", 1e308), ConfigError);
    r.add_term("a", "信访", 1000.0);
    r.add_channel_hint("hotline", "a", 1000.0);
}

TEST(RuleSet, RejectsTermsAndCuesThatNormaliseToNothing) {
    RuleSet r = fixtures::small_rules();
    const std::string category = "street_vending";
    for (const std::string blank : {" ", "\u3000", "\u200b\t"}) {
        EXPECT_THROW(r.add_term(category, blank, 1.0), ConfigError);
        RoutingRuleSpec spec;
        spec.id = "R-BLANK";
        spec.terms = {"着火了", blank};
        spec.min_level = Level::county;
        EXPECT_THROW(r.add_rule(spec), ConfigError);
        EXPECT_THROW(r.set_rule_negation({"没有", blank}, 2), ConfigError);
    }
    EXPECT_THROW(r.add_term(category, "\xff\xfe", 1.0), ConfigError);  // not UTF-8: nothing to decode
    r.add_term(category, "，占道", 1.0);  // punctuation and a word: something is left
}

TEST(RuleSet, NegationWindowsRunToTheirLimit) {
    RuleSet r = fixtures::small_rules();
    r.set_rule_negation({"没有"}, max_negation_window);
    r.set_classification_negation({"不是"}, 0);
    EXPECT_THROW(r.set_rule_negation({"没有"}, max_negation_window + 1), ConfigError);
    EXPECT_THROW(r.set_classification_negation({"不是"}, 4294967295u), ConfigError);
}

TEST(RuleSet, RejectsRulesWithoutConditionOrActionOrWithUnknownNames) {
    RuleSet r = fixtures::small_rules();
    RoutingRuleSpec spec;
    spec.id = "R1";
    spec.min_level = Level::town;
    EXPECT_THROW(r.add_rule(spec), ConfigError);  // no condition
    spec.min_reports = 3;
    spec.min_level.reset();
    EXPECT_THROW(r.add_rule(spec), ConfigError);  // no action
    spec.platform = "police";
    EXPECT_THROW(r.add_rule(spec), ConfigError);  // unknown platform
    spec.platform = "market";
    spec.categories = {"weather"};
    EXPECT_THROW(r.add_rule(spec), ConfigError);  // unknown category
    spec.categories = {"sanitation"};
    spec.deadline_hours = 0.0;
    EXPECT_THROW(r.add_rule(spec), ConfigError);  // bad hours
    spec.deadline_hours.reset();
    spec.id = "SEV-FIRE";
    EXPECT_THROW(r.add_rule(spec), ConfigError);  // duplicate id
    spec.id = "R1";
    EXPECT_NO_THROW(r.add_rule(spec));
}

TEST(RuleSet, KeepsRulesInPriorityThenFileOrder) {
    RuleSet r = fixtures::small_rules();  // SEV-FIRE, priority 0
    for (auto [id, priority] : {std::pair{"A", 5}, std::pair{"B", 0}, std::pair{"C", 5}, std::pair{"D", 9}}) {
        RoutingRuleSpec spec;
        spec.id = id;
        spec.priority = priority;
        spec.min_reports = 2;
        spec.min_level = Level::town;
        r.add_rule(spec);
    }
    std::vector<std::string> order;
    for (const auto& rule : r.routing_rules()) order.push_back(rule.id);
    EXPECT_EQ(order, (std::vector<std::string>{"D", "A", "C", "SEV-FIRE", "B"}));
}

}  // namespace
}  // namespace routing_core
