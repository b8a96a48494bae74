#include <gtest/gtest.h>

#include "routing_core/classifier.hpp"
#include "routing_core/error.hpp"
#include "routing_core/normalise.hpp"
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

TEST(Classifier, ChannelHintsAddToTheScore) {
    RuleSet rules = fixtures::small_rules();
    rules.add_channel_hint("12315", "street_vending", 3.0);
    const Classifier c(rules);
    // 纠纷 (dispute, 3) alone is a dispute; through the 12315 channel street_vending gets 3 more and,
    // tied at 3, the category defined first (sanitation < street_vending < dispute) wins.
    EXPECT_EQ(rules.category(c.classify(norm("纠纷")).category).code, "dispute");
    const auto hinted = c.classify(norm("纠纷"), "12315");
    EXPECT_EQ(rules.category(hinted.category).code, "street_vending");
    EXPECT_EQ(hinted.evidence.back(), "channel:12315");
    EXPECT_EQ(hinted.confidence, 0.5);
    EXPECT_THROW(rules.add_channel_hint("12315", "weather", 1.0), ConfigError);
    EXPECT_THROW(rules.add_channel_hint("", "dispute", 1.0), ConfigError);
}
