#include <gtest/gtest.h>

#include "routing_core/classifier.hpp"
#include "routing_core/error.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/router.hpp"
#include "routing_core/utf8.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
std::u32string norm(const std::string& s) { return normalise_text(utf8::decode(s)); }
}  // namespace

TEST(Classifier, SumsTermWeightsAndExplainsItself) {
    const RuleSet rules = fixtures::small_rules();
    const Classifier c(rules);
    const auto r = c.classify(norm("小区门口垃圾桶满溢，垃圾到处都是"));
    EXPECT_EQ(rules.category(r.category).code, "sanitation");
    // 垃圾桶满溢 (4) + 垃圾 (2, counted once): all of the score is sanitation's.
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
    EXPECT_EQ(r.evidence, (std::vector<std::string>{"垃圾", "垃圾桶满溢"}));
    const auto mixed = c.classify(norm("夜宵摊占道经营引发邻里纠纷"));
    EXPECT_EQ(rules.category(mixed.category).code, "street_vending");  // 8 against 3
    EXPECT_DOUBLE_EQ(mixed.confidence, 8.0 / 11.0);
}

TEST(Classifier, FallsBackWithZeroConfidence) {
    const RuleSet rules = fixtures::small_rules();
    const auto r = Classifier(rules).classify(norm("请问社保怎么办理"));
    EXPECT_EQ(rules.category(r.category).code, "consultation");
    EXPECT_EQ(r.confidence, 0.0);
}

TEST(Router, LevelsUnitsDeadlinesAndSeverity) {
    const RuleSet rules = fixtures::small_rules();
    const Gazetteer g = fixtures::small_gazetteer();
    const Router router(rules, g);
    Address a;
    a.units[level_index(Level::community)] = g.find("330212010aaaa");
    a.units[level_index(Level::town)] = g.find("330212010");
    a.units[level_index(Level::county)] = g.find("330212");
    const auto sanitation = static_cast<std::uint32_t>(rules.find_category("sanitation"));
    const Routing r = router.route(sanitation, {}, a, 1000);
    EXPECT_EQ(r.level, Level::community);
    EXPECT_EQ(g.unit(static_cast<std::uint32_t>(r.unit)).code, "330212010aaaa");
    EXPECT_EQ(r.deadline, 1000 + 24 * 3600);

    const auto fire = router.severities(norm("楼道里起火了"));
    ASSERT_EQ(fire.size(), 1u);
    const Routing raised = router.route(sanitation, fire, a, 1000);
    EXPECT_EQ(raised.level, Level::county);
    EXPECT_EQ(g.unit(static_cast<std::uint32_t>(raised.unit)).code, "330212");
    EXPECT_EQ(raised.deadline, 1000 + 2 * 3600);

    const Routing nowhere = router.route(sanitation, {}, Address{}, 1000);
    EXPECT_EQ(nowhere.level, Level::city);
    EXPECT_EQ(g.unit(static_cast<std::uint32_t>(nowhere.unit)).code, "330200");
}

TEST(RuleSet, RejectsInconsistentRules) {
    RuleSet r;
    r.add_platform("governance", "综治工作");
    EXPECT_THROW(r.add_category("x", "x", "nowhere", {}, Level::town, 24), ConfigError);
    EXPECT_THROW(r.add_category("x", "x", "governance", {}, Level::town, -1), ConfigError);
    EXPECT_THROW(r.add_category("x", "x", "governance", {}, Level::province, 24), ConfigError);
    EXPECT_THROW(r.validate(), ConfigError);
}
