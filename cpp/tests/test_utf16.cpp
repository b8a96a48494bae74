#include "routing_core/utf16.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace routing_core;

namespace {

std::u32string round_trip(const std::u32string& text) {
    const std::vector<char16_t> units = utf16::encode(text);
    std::u32string back(units.size(), U'\0');
    back.resize(utf16::decode(units, back.data()));
    return back;
}

}  // namespace

TEST(Utf16, OneUnitPerCharacterOfTheBasicPlane) {
    const std::u32string text = U"门口垃圾桶满溢ABC123";
    const std::vector<char16_t> units = utf16::encode(text);
    ASSERT_EQ(units.size(), text.size());
    EXPECT_EQ(units.capacity(), units.size());  // kept by an event: no room to spare
    EXPECT_EQ(units[0], u'门');
    EXPECT_EQ(round_trip(text), text);
}

TEST(Utf16, TwoUnitsBeyondIt) {
    // U+20000 (a CJK Extension B character) is D840 DC00 in UTF-16; U+10FFFF is DBFF DFFF.
    EXPECT_EQ(utf16::encode(U"\U00020000"), (std::vector<char16_t>{0xD840, 0xDC00}));
    EXPECT_EQ(utf16::encode(U"\U0010FFFF"), (std::vector<char16_t>{0xDBFF, 0xDFFF}));
    EXPECT_EQ(utf16::encode(U"\U00010000"), (std::vector<char16_t>{0xD800, 0xDC00}));
    EXPECT_EQ(utf16::encode(U"\uFFFF"), (std::vector<char16_t>{0xFFFF}));
    const std::u32string mixed = U"a\U00020000路\U0001F600\uFFFF\U00010000\U0010FFFF";
    EXPECT_EQ(utf16::encode(mixed).size(), 11u);
    EXPECT_EQ(round_trip(mixed), mixed);
    EXPECT_EQ(round_trip(U""), U"");
}

TEST(Utf16, ScalarsAreWhatUtf8Decodes) {
    EXPECT_TRUE(utf16::is_scalar(U'门'));
    EXPECT_TRUE(utf16::is_scalar(0x10FFFF));
    EXPECT_FALSE(utf16::is_scalar(0x110000));
    EXPECT_FALSE(utf16::is_scalar(0xD800));
    EXPECT_FALSE(utf16::is_scalar(0xDFFF));
}
