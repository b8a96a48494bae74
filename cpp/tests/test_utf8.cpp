#include <gtest/gtest.h>

#include "routing_core/utf8.hpp"

using namespace routing_core;

TEST(Utf8, RoundTripsChineseAndAstralCharacters) {
    const std::string s = "百丈东路168号😀";
    const std::u32string cps = utf8::decode(s);
    ASSERT_EQ(cps.size(), 9u);  // 4 CJK + 3 digits + 号 + emoji
    EXPECT_EQ(cps[0], U'百');
    EXPECT_EQ(cps.back(), char32_t{0x1F600});
    EXPECT_EQ(utf8::encode(cps), s);
}

TEST(Utf8, FindsInvalidSequences) {
    EXPECT_EQ(utf8::find_invalid("ok 好"), std::string::npos);
    EXPECT_EQ(utf8::find_invalid(std::string("ab\xff", 3)), 2u);
    EXPECT_EQ(utf8::find_invalid(std::string("\xc0\xaf", 2)), 0u);          // overlong '/'
    EXPECT_EQ(utf8::find_invalid(std::string("\xed\xa0\x80", 3)), 0u);      // surrogate U+D800
    EXPECT_EQ(utf8::find_invalid(std::string("\xf4\x90\x80\x80", 4)), 0u);  // above U+10FFFF
    EXPECT_EQ(utf8::find_invalid(std::string("\xe5\x93", 2)), 0u);          // truncated 3-byte sequence
}
