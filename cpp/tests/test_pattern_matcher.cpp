#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "routing_core/pattern_matcher.hpp"

using namespace routing_core;

TEST(PatternMatcher, FindsOverlappingAndNestedPatterns) {
    PatternMatcher m;
    const auto he = m.add(U"he");
    const auto she = m.add(U"she");
    const auto his = m.add(U"his");
    const auto hers = m.add(U"hers");
    m.build();
    // The textbook example: "ushers" contains she [1,4), he [2,4) and hers [2,6).
    auto found = m.find_all(U"ushers");
    std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> got;
    for (const auto& f : found) got.emplace_back(f.pattern, f.begin, f.end);
    std::sort(got.begin(), got.end());
    std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> want{{he, 2, 4}, {she, 1, 4}, {hers, 2, 6}};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
    EXPECT_TRUE(m.find_all(U"xyz").empty());
    (void)his;
}

TEST(PatternMatcher, ChineseNamesAndDuplicates) {
    PatternMatcher m;
    const auto a = m.add(U"划船");
    const auto b = m.add(U"划船社区");
    EXPECT_EQ(m.add(U"划船"), a);
    m.build();
    const auto found = m.find_all(U"在划船社区门口");
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].pattern, a);
    EXPECT_EQ(found[0].begin, 1u);
    EXPECT_EQ(found[1].pattern, b);
    EXPECT_EQ(found[1].end, 5u);
}

TEST(PatternMatcher, RequiresBuildAfterAdd) {
    PatternMatcher m;
    m.add(U"ab");
    EXPECT_THROW(m.find_all(U"ab"), std::logic_error);
    EXPECT_THROW(m.add(U""), std::invalid_argument);
}
