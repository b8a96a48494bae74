#include "routing_core/indel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

using routing_core::indel_ratio;
using routing_core::IndelPattern;

namespace {

// The textbook O(n·m) dynamic programme: slow and obviously right, the oracle of the bit-parallel one.
std::size_t naive_lcs(std::u32string_view a, std::u32string_view b) {
    std::vector<std::size_t> prev(b.size() + 1, 0);
    std::vector<std::size_t> row(b.size() + 1, 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            row[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], row[j - 1]);
        }
        std::swap(prev, row);
    }
    return prev[b.size()];
}

std::u32string repeat(std::u32string_view unit, std::size_t times) {
    std::u32string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

void expect_lcs(std::u32string_view a, std::u32string_view b, std::size_t expected) {
    ASSERT_EQ(naive_lcs(a, b), expected) << "the hand-checked value disagrees with the oracle";
    EXPECT_EQ(IndelPattern(a).lcs(b), expected);
    EXPECT_EQ(IndelPattern(b).lcs(a), expected);
}

}  // namespace

TEST(IndelPattern, TextbookPair) { expect_lcs(U"ABCBDAB", U"BDCABA", 4); }

TEST(IndelPattern, ChineseReportsShareTheirSubject) {
    expect_lcs(U"井盖破损", U"井盖坏了", 2);
    EXPECT_DOUBLE_EQ(indel_ratio(U"井盖破损", U"井盖坏了"), 0.5);
    EXPECT_DOUBLE_EQ(IndelPattern(U"井盖破损").ratio(U"井盖坏了"), 0.5);
}

TEST(IndelPattern, EmptyStrings) {
    expect_lcs(U"", U"", 0);
    expect_lcs(U"", U"井盖", 0);
    EXPECT_DOUBLE_EQ(indel_ratio(U"", U""), 1.0);
    EXPECT_DOUBLE_EQ(indel_ratio(U"", U"井盖"), 0.0);
    EXPECT_DOUBLE_EQ(indel_ratio(U"井盖", U""), 0.0);
    EXPECT_EQ(IndelPattern(U"").size(), 0U);
}

TEST(IndelPattern, IdenticalStrings) {
    const std::u32string text = U"鄞州区首南街道泰康中路路灯不亮";
    expect_lcs(text, text, text.size());
    EXPECT_DOUBLE_EQ(indel_ratio(text, text), 1.0);
}

TEST(IndelPattern, NoCommonCharacter) {
    expect_lcs(U"井盖破损", U"路灯不亮abc", 0);
    EXPECT_DOUBLE_EQ(indel_ratio(U"井盖破损", U"路灯不亮"), 0.0);
}

TEST(IndelPattern, AsciiAndChineseMixed) {
    // 3 A 座 漏 水: 楼 comes before A in one and after 座 in the other, so it cannot join them.
    expect_lcs(U"3号楼A座漏水", U"3幢A座楼顶漏水", 5);
}

TEST(IndelPattern, AsciiBoundaryCodePoints) {
    // 0x7F is the last entry of the direct table and 0x80 the first hashed one; U+0000 is a
    // valid character, not an empty marker.
    const std::u32string nul(1, char32_t{0});
    expect_lcs(U"\u007f\u0080a" + nul, nul + U"\u0080\u007f", 1);
    expect_lcs(nul, nul, 1);
}

TEST(IndelPattern, AstralCodePoints) {
    expect_lcs(U"𠀀𠀁井𠀂", U"𠀁𠀂井", 2);
    expect_lcs(U"𠀀", U"𠀀", 1);
    EXPECT_DOUBLE_EQ(indel_ratio(U"𠀀", U"𠀀"), 1.0);
    EXPECT_DOUBLE_EQ(indel_ratio(U"𠀀", U"𠀁"), 0.0);
}

TEST(IndelPattern, LongQueryUsesCarriesAcrossWords) {
    // Alternating 甲乙… (200, four words) against 乙甲… (150): every carry chain runs across a word
    // boundary, and the text is a subsequence of the query after its first character.
    const std::u32string query = repeat(U"甲乙", 100);
    const std::u32string text = repeat(U"乙甲", 75);
    expect_lcs(query, text, 150);
    EXPECT_DOUBLE_EQ(IndelPattern(query).ratio(text), 2.0 * 150 / 350);

    // A 200-code-point report-like query against a 150-code-point one, checked by the oracle only.
    const std::u32string report = repeat(U"鄞州区首南街道泰康中路井盖破损请尽快处理", 10);
    const std::u32string event = repeat(U"首南街道井盖坏了路灯不亮", 12) + U"泰康中路井盖破";
    ASSERT_EQ(report.size(), 200U);
    ASSERT_EQ(event.size(), 151U);
    EXPECT_EQ(IndelPattern(report).lcs(event), naive_lcs(report, event));
    EXPECT_EQ(IndelPattern(event).lcs(report), naive_lcs(report, event));
}

TEST(IndelPattern, LengthsAroundWordBoundaries) {
    const std::u32string unit = U"井盖破损井盖坏了路灯";
    for (const std::size_t n : {1, 63, 64, 65, 127, 128, 129, 255, 256, 257, 320}) {
        const std::u32string query = repeat(unit, n / unit.size() + 1).substr(0, n);
        for (const std::size_t m : {1, 64, 65, 200}) {
            std::u32string text = repeat(U"坏了井盖路灯破损", m / 8 + 1).substr(0, m);
            EXPECT_EQ(IndelPattern(query).lcs(text), naive_lcs(query, text)) << n << " x " << m;
        }
    }
}

TEST(IndelPattern, ManyDistinctCodePointsGrowTheTable) {
    // 300 distinct CJK code points force the hash table through several growths, and the reversed
    // text makes every one of them a hit.
    std::u32string query;
    for (char32_t cp = 0x4E00; cp < 0x4E00 + 300; ++cp) query += cp;
    std::u32string text = query;
    std::reverse(text.begin(), text.end());
    expect_lcs(query, text, 1);
    expect_lcs(query, query.substr(100, 150), 150);
}

TEST(IndelPattern, PatternIsReusable) {
    const IndelPattern pattern(U"井盖破损");
    EXPECT_EQ(pattern.size(), 4U);
    EXPECT_EQ(pattern.lcs(U"井盖坏了"), 2U);
    EXPECT_EQ(pattern.lcs(U"破损的井盖"), 2U);
    EXPECT_EQ(pattern.lcs(U"井盖坏了"), 2U);
}

TEST(IndelPattern, RandomSweepMatchesNaiveDp) {
    // A small alphabet (six CJK characters, an ASCII letter and an astral one) keeps the LCS long and
    // the carry chains busy; lengths 0..300 cover the one-word, stack and heap paths.
    const std::u32string alphabet = U"井盖破损路灯a𠀀";
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<std::size_t> length(0, 300);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    const auto random_text = [&] {
        std::u32string s(length(rng), U' ');
        for (char32_t& c : s) c = alphabet[pick(rng)];
        return s;
    };
    for (int i = 0; i < 3000; ++i) {
        const std::u32string a = random_text();
        const std::u32string b = random_text();
        const std::size_t expected = naive_lcs(a, b);
        const IndelPattern pattern(a);
        ASSERT_EQ(pattern.lcs(b), expected) << "pair " << i << ", lengths " << a.size() << " x " << b.size();
        const double ratio = a.empty() && b.empty() ? 1.0 : 2.0 * expected / (a.size() + b.size());
        ASSERT_DOUBLE_EQ(pattern.ratio(b), ratio) << "pair " << i;
        ASSERT_DOUBLE_EQ(indel_ratio(b, a), ratio) << "pair " << i;
    }
}
