// ChunkedVector: indexing across chunk boundaries, elements that never move as it grows, move-only
// elements, and the sized constructor.
#include <gtest/gtest.h>

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
