#include <gtest/gtest.h>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

using namespace routing_core;

namespace {
std::string text(const std::string& s) { return utf8::encode(normalise_text(utf8::decode(s))); }
std::string addr(const std::string& s) { return utf8::encode(normalise_address(utf8::decode(s))); }
}  // namespace

TEST(Normalise, ChineseNumeralsBeforeCountersBecomeDigits) {
    EXPECT_EQ(addr("百丈东路一百六十八号"), "百丈东路168号");
    EXPECT_EQ(addr("一六八号三幢"), "168号3幢");
    EXPECT_EQ(addr("二〇一室"), "201室");
    EXPECT_EQ(text("三楼有人吵架"), "3楼有人吵架");
    EXPECT_EQ(text("第十二次"), "第12次");
}

TEST(Normalise, NamesWithNumeralsStayAsWritten) {
    EXPECT_EQ(addr("三江口"), "三江口");
    EXPECT_EQ(addr("百丈街道"), "百丈街道");
    EXPECT_EQ(addr("十字路口"), "十字路口");
    EXPECT_EQ(addr("七五社区"), "七五社区");
}

TEST(Normalise, NumeralValues) {
    EXPECT_EQ(chinese_numeral_value(U"一百六十八"), 168u);
    EXPECT_EQ(chinese_numeral_value(U"十"), 10u);
    EXPECT_EQ(chinese_numeral_value(U"十五"), 15u);
    EXPECT_EQ(chinese_numeral_value(U"两千零五"), 2005u);
    EXPECT_EQ(chinese_numeral_value(U"三万二千"), 32000u);
    EXPECT_EQ(chinese_numeral_value(U"一六八"), 168u);
    EXPECT_FALSE(chinese_numeral_value(U"十百").has_value());
    EXPECT_FALSE(chinese_numeral_value(U"").has_value());
}

TEST(Normalise, WidthCaseAndWhitespace) {
    EXPECT_EQ(addr("百丈东路１６８号　３幢"), "百丈东路168号3幢");
    EXPECT_EQ(text("  ＡＢＣ  有\t\n问题  "), "abc 有 问题");
    EXPECT_EQ(text("a\x01" "b"), "ab");  // control characters are dropped
}

TEST(Normalise, IsIdempotent) {
    for (const char* s : {"三 楼", "百丈东路 一百六十八 号", "第 二", "ＡＢ　十 号", "一百六十八号"}) {
        const std::string once = addr(s);
        EXPECT_EQ(addr(once), once) << s;
        const std::string once_text = text(s);
        EXPECT_EQ(text(once_text), once_text) << s;
    }
}
