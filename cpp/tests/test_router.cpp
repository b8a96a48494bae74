#include "routing_core/router.hpp"

#include <gtest/gtest.h>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"
#include "test_fixtures.hpp"

namespace routing_core {
namespace {

std::u32string norm(const char* s) { return normalise_text(utf8::decode(s)); }

struct Explained {
    std::vector<std::string> ids;
    std::vector<std::string> reasons;
};

Explained explain(const Router& router, const RouteInput& in, const Routing& r) {
    Explained e;
    router.explain(in, r, e.ids, e.reasons);
    return e;
}

class RouterTest : public ::testing::Test {
protected:
    Gazetteer g = fixtures::small_gazetteer();
    Address a;
    void SetUp() override {
        a.units[level_index(Level::community)] = g.find("330212010aaaa");
        a.units[level_index(Level::town)] = g.find("330212010");
        a.units[level_index(Level::county)] = g.find("330212");
        a.units[level_index(Level::city)] = g.find("330200");
    }
    static std::uint32_t category(const RuleSet& r, const char* code) {
        return static_cast<std::uint32_t>(r.find_category(code));
    }
    std::string unit_code(const Routing& r) const { return g.unit(static_cast<std::uint32_t>(r.unit)).code; }
};

TEST_F(RouterTest, CategoryDefaultsThenSeverityTermRaisesLevelAndShortensDeadline) {
    const RuleSet rules = fixtures::small_rules();
    const Router router(rules, g);
    const RouteInput plain{category(rules, "sanitation"), "hotline", 1, 0, 1000};
    const Routing r = router.route(plain, router.term_hits(norm("垃圾没人清")), a);
    EXPECT_EQ(r.level, Level::community);
    EXPECT_EQ(unit_code(r), "330212010aaaa");
    EXPECT_EQ(r.deadline, 1000 + 24 * 3600);
    const Explained why = explain(router, plain, r);
    EXPECT_EQ(why.ids, std::vector<std::string>{"category:sanitation"});
    EXPECT_EQ(why.reasons.size(), why.ids.size());

    const auto hits = router.term_hits(norm("楼道里起火了"));
    ASSERT_EQ(hits.size(), 1u);
    const Routing raised = router.route(plain, hits, a);
    EXPECT_EQ(raised.level, Level::county);
    EXPECT_EQ(unit_code(raised), "330212");
    EXPECT_EQ(raised.deadline, 1000 + 2 * 3600);
    const Explained raised_why = explain(router, plain, raised);
    EXPECT_EQ(raised_why.ids, (std::vector<std::string>{"category:sanitation", "rule:SEV-FIRE"}));
    EXPECT_NE(raised_why.reasons[1].find("起火"), std::string::npos);
    EXPECT_EQ(router.rule_ids(raised), "SEV-FIRE");
}

TEST_F(RouterTest, GridLevelStaysGridInsideItsCommunity) {
    const RuleSet rules = fixtures::small_rules();  // consultation: grid level
    const Router router(rules, g);
    const RouteInput in{category(rules, "consultation"), "app", 1, 0, 0};
    const Routing r = router.route(in, {}, a);
    EXPECT_EQ(r.level, Level::grid);
    EXPECT_EQ(unit_code(r), "330212010aaaa");
    EXPECT_EQ(r.jurisdiction, Jurisdiction::resolved);
}

TEST_F(RouterTest, UnresolvedAddressGoesUpToTheCity) {
    const RuleSet rules = fixtures::small_rules();
    const Router router(rules, g);
    const RouteInput in{category(rules, "sanitation"), "app", 1, 0, 1000};
    const Routing nowhere = router.route(in, {}, Address{});
    EXPECT_EQ(nowhere.level, Level::city);
    EXPECT_EQ(unit_code(nowhere), "330200");
    EXPECT_EQ(explain(router, in, nowhere).ids.back(), "jurisdiction:no-unit");
    Address town_only;
    town_only.units[level_index(Level::town)] = g.find("330212010");
    const Routing up = router.route(in, {}, town_only);  // sanitation wants a community
    EXPECT_EQ(up.level, Level::town);
    EXPECT_EQ(explain(router, in, up).ids.back(), "jurisdiction:unresolved-community");
}

TEST_F(RouterTest, ChannelCountAndRecurrenceConditions) {
    RuleSet rules = fixtures::small_rules();
    RoutingRuleSpec hotline;
    hotline.id = "HOTLINE-VENDING";
    hotline.channels = {"hotline"};
    hotline.categories = {"street_vending"};
    hotline.deadline_hours = 12;
    rules.add_rule(hotline);
    RoutingRuleSpec many;
    many.id = "MANY-REPORTS";
    many.min_reports = 5;
    many.min_level = Level::county;
    rules.add_rule(many);
    RoutingRuleSpec again;
    again.id = "RECURS-TWICE";
    again.min_recurrences = 2;
    again.co_platforms = {"governance"};
    rules.add_rule(again);
    const Router router(rules, g);
    const std::uint32_t vending = category(rules, "street_vending");

    // street_vending: town, 48 h, co-platform market.
    const RouteInput app_in{vending, "app", 4, 1, 0};
    const Routing app = router.route(app_in, {}, a);
    EXPECT_EQ(explain(router, app_in, app).ids, std::vector<std::string>{"category:street_vending"});
    EXPECT_EQ(app.deadline, 48 * 3600);

    const Routing by_phone = router.route({vending, "hotline", 1, 0, 0}, {}, a);
    EXPECT_EQ(by_phone.deadline, 12 * 3600);
    EXPECT_EQ(by_phone.level, Level::town);  // HOTLINE-VENDING sets no level

    const Routing fifth = router.route({vending, "app", 5, 0, 0}, {}, a);
    EXPECT_EQ(fifth.level, Level::county);
    ASSERT_TRUE(fifth.rule_level.has_value());
    EXPECT_EQ(*fifth.rule_level, Level::county);

    const Routing third_time = router.route({vending, "app", 1, 2, 0}, {}, a);
    const auto& co = third_time.co_platforms;
    EXPECT_EQ(co.size(), 2u);  // market from the category, governance from the rule
    EXPECT_NE(std::find(co.begin(), co.end(), static_cast<std::uint32_t>(rules.find_platform("governance"))), co.end());
}

TEST_F(RouterTest, PlatformOverrideByPriorityThenFileOrderWhateverTheInsertionOrder) {
    const auto build = [](bool low_first) {
        RuleSet rules = fixtures::small_rules();
        RoutingRuleSpec low;
        low.id = "LOW";
        low.priority = 1;
        low.categories = {"sanitation"};
        low.platform = "market";
        RoutingRuleSpec high;
        high.id = "HIGH";
        high.priority = 10;
        high.categories = {"sanitation"};
        high.platform = "governance";
        if (low_first) {
            rules.add_rule(low);
            rules.add_rule(high);
        } else {
            rules.add_rule(high);
            rules.add_rule(low);
        }
        return rules;
    };
    for (bool low_first : {true, false}) {
        const RuleSet rules = build(low_first);
        const Router router(rules, g);
        const RouteInput in{category(rules, "sanitation"), "app", 1, 0, 0};
        const Routing r = router.route(in, {}, a);
        EXPECT_EQ(rules.platform_code(r.platform), "governance");
        EXPECT_EQ(explain(router, in, r).ids, (std::vector<std::string>{"category:sanitation", "rule:HIGH", "rule:LOW"}));
        // The category's own platform (enforcement) keeps co-handling what a rule gave another lead.
        EXPECT_EQ(r.co_platforms, std::vector<std::uint32_t>{static_cast<std::uint32_t>(rules.find_platform("enforcement"))});
    }
}

}  // namespace
}  // namespace routing_core
