// PostingTable against std::unordered_map as a reference: finds, appends, growth, the first-arrival
// order of iteration, and the edit that drops emptied lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <vector>

#include "routing_core/posting_table.hpp"

using namespace routing_core;

namespace {

using Reference = std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>;

void expect_same(const PostingTable& table, const Reference& reference, const std::vector<std::uint64_t>& order) {
    ASSERT_EQ(table.size(), reference.size());
    for (const auto& [key, list] : reference) {
        const PostingTable::List* found = table.find(key);
        ASSERT_NE(found, nullptr) << key;
        EXPECT_EQ(*found, list) << key;
    }
    std::vector<std::uint64_t> seen;
    table.for_each([&](std::uint64_t key, const PostingTable::List&) { seen.push_back(key); });
    EXPECT_EQ(seen, order);
}

}  // namespace

TEST(PostingTable, AgreesWithAHashMapThroughGrowthAndEdits) {
    std::mt19937_64 rng(5);
    PostingTable table;
    Reference reference;
    std::vector<std::uint64_t> order;  // keys in first-arrival order
    // Keys from a small pool (so that lists grow) and a large one; 0 and the slot-colliding
    // multiples of 2^44 are keys too.
    std::vector<std::uint64_t> pool{0, 1ull << 44, 2ull << 44, 3ull << 44};
    for (int i = 0; i < 3000; ++i) pool.push_back(rng());
    for (int step = 0; step < 60000; ++step) {
        const std::uint64_t key = pool[rng() % (step % 3 == 0 ? 4 : pool.size())];
        const std::uint32_t event = static_cast<std::uint32_t>(rng() % 500);
        if (reference.find(key) == reference.end()) order.push_back(key);
        table[key].push_back(event);
        reference[key].push_back(event);
    }
    EXPECT_EQ(table.find(12345), nullptr);
    expect_same(table, reference, order);
    // Drop the odd events: lists left empty go, with their keys, and the order of the rest is kept.
    const auto odd = [](std::uint32_t e) { return e % 2 == 1; };
    table.edit([&](PostingTable::List& list) { list.erase(std::remove_if(list.begin(), list.end(), odd), list.end()); });
    for (auto& [key, list] : reference) list.erase(std::remove_if(list.begin(), list.end(), odd), list.end());
    for (auto it = reference.begin(); it != reference.end();) it = it->second.empty() ? reference.erase(it) : std::next(it);
    order.erase(std::remove_if(order.begin(), order.end(), [&](std::uint64_t k) { return reference.count(k) == 0; }),
                order.end());
    EXPECT_LT(order.size(), pool.size());  // some did go
    expect_same(table, reference, order);
    // Everything emptied: the table is empty and takes new keys again.
    table.edit([](PostingTable::List& list) { list.clear(); });
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.find(pool[0]), nullptr);
    table[7].push_back(3);
    ASSERT_NE(table.find(7), nullptr);
    EXPECT_EQ(*table.find(7), PostingTable::List{3});
}

TEST(PostingTable, InsertRefusesAKeyItHas) {
    PostingTable table;
    table.reserve(10);
    EXPECT_TRUE(table.insert(42, {1, 2}));
    EXPECT_FALSE(table.insert(42, {3}));
    EXPECT_EQ(*table.find(42), (PostingTable::List{1, 2}));
    EXPECT_EQ(table.find(43), nullptr);
    EXPECT_EQ(PostingTable().find(42), nullptr);  // an empty table has no slots yet
}
