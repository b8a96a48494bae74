// ChunkedVector: indexing across chunk boundaries, elements that never move as it grows, move-only
// elements, the sized constructor, and growing to a size (new elements zeroed) and assign.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "routing_core/chunked_vector.hpp"

using namespace routing_core;

TEST(ChunkedVector, IndexesAcrossChunksAndNeverMovesAnElement) {
    ChunkedVector<std::string, 3> v;  // chunks of 8
    std::vector<const std::string*> where;
    for (int i = 0; i < 100; ++i) {
        v.push_back(std::string(40, static_cast<char>('a' + i % 26)) + std::to_string(i));  // heap strings
        where.push_back(&v.back());
    }
    ASSERT_EQ(v.size(), 100u);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(v[i], std::string(40, static_cast<char>('a' + i % 26)) + std::to_string(i));
        EXPECT_EQ(&v[i], where[i]) << i;  // the same object where it was first put
    }
    std::size_t seen = 0;
    v.for_each([&](const std::string& s) { EXPECT_EQ(&s, where[seen++]); });
    EXPECT_EQ(seen, 100u);
}

TEST(ChunkedVector, HoldsMoveOnlyElementsAndStartsSized) {
    ChunkedVector<std::unique_ptr<int>, 2> v(5);
    ASSERT_EQ(v.size(), 5u);
    EXPECT_FALSE(v.empty());
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], nullptr);
    v.emplace_back(std::make_unique<int>(7));
    EXPECT_EQ(*v[5], 7);
    EXPECT_TRUE(ChunkedVector<int>().empty());
}

TEST(ChunkedVector, GrowsToASizeWithZeroedElementsAndAssigns) {
    ChunkedVector<std::int64_t, 2> v;  // chunks of 4
    v.push_back(5);
    v.grow_to(7);  // into a second chunk
    ASSERT_EQ(v.size(), 7u);
    EXPECT_EQ(v[0], 5);
    for (std::size_t i = 1; i < 7; ++i) EXPECT_EQ(v[i], 0) << i;
    v.grow_to(3);  // smaller: nothing changes
    EXPECT_EQ(v.size(), 7u);
    v[6] = 9;
    v.push_back(8);  // the last free element of the second chunk
    v.grow_to(10);   // a third chunk; the new elements are zero
    EXPECT_EQ(v[6], 9);
    EXPECT_EQ(v[7], 8);
    EXPECT_EQ(v[8], 0);
    EXPECT_EQ(v[9], 0);
    v.assign(6, -1);
    ASSERT_EQ(v.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(v[i], -1) << i;
    v.grow_to(8);  // past what assign wrote: zero again, not the old 9 and 8
    EXPECT_EQ(v[6], 0);
    EXPECT_EQ(v[7], 0);
    v.clear();
    EXPECT_TRUE(v.empty());
}
