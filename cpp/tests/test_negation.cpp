#include "routing_core/negation.hpp"

#include <gtest/gtest.h>

#include "routing_core/classifier.hpp"
#include "routing_core/router.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"
#include "test_fixtures.hpp"

namespace routing_core {
namespace {

std::u32string norm(const char* s) { return normalise_text(utf8::decode(s)); }

TEST(Negation, TermRightAfterACueWithinTheWindowIsNegated) {
    const NegationCues cues({"没有", "不是"}, 2);
    const std::u32string text = norm("没有起火，不是噪音而是垃圾");
    const auto scan = cues.scan(text);
    // 没 有 起 火 ， 不 是 噪 音 而 是 垃 圾
    // 0  1  2  3  4  5  6  7  8  9  10 11 12
    EXPECT_TRUE(scan.negated(2));    // 起火: directly after 没有
    EXPECT_TRUE(scan.negated(7));    // 噪音: directly after 不是
    EXPECT_TRUE(scan.negated(9));    // two characters after 不是 (而是 ...): inside the window of 2
    EXPECT_FALSE(scan.negated(11));  // 垃圾: four characters after 不是
    EXPECT_FALSE(scan.negated(0));   // nothing before
}

TEST(Negation, ClausePunctuationEndsTheScopeAndNoCuesMeansNoNegation) {
    const NegationCues cues({"没有"}, 4);
    const std::u32string text = norm("没有，起火了");
    EXPECT_FALSE(cues.scan(text).negated(3));  // the comma stands between
    const NegationCues none;
    EXPECT_TRUE(none.empty());
    EXPECT_FALSE(none.scan(norm("没有起火")).negated(2));
}

TEST(Negation, ClassifierSkipsNegatedTermsAndShowsThem) {
    RuleSet rules = fixtures::small_rules();
    rules.set_classification_negation({"不是"}, 1);
    const Classifier c(rules);
    const auto r = c.classify(norm("不是纠纷，是垃圾桶满溢"));
    EXPECT_EQ(rules.category(r.category).code, "sanitation");
    EXPECT_EQ(r.confidence, 1.0);  // dispute's 纠纷 did not count
    EXPECT_EQ(r.evidence.front(), "¬纠纷");
}

TEST(Negation, RouterIgnoresNegatedRuleTerms) {
    RuleSet rules = fixtures::small_rules();  // SEV-FIRE: 起火, 火灾
    rules.set_rule_negation({"无", "没有"}, 2);
    const Gazetteer g = fixtures::small_gazetteer();
    const Router router(rules, g);
    EXPECT_TRUE(router.term_hits(norm("现场没有起火")).empty());
    EXPECT_TRUE(router.term_hits(norm("无人员火灾")).empty());    // 无 + two characters + 火灾
    EXPECT_EQ(router.term_hits(norm("没有人管，起火了")).size(), 1u);  // the comma ends the scope
}

}  // namespace
}  // namespace routing_core
