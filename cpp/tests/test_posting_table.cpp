// PostingTable against std::unordered_map as a reference: finds, appends, growth, the dense order of
// iteration, and dropping keys (the last key takes the dropped one's place).
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
    // Drop the odd events, as the purge's sweep does: a list left empty goes with its key, the last key
    // takes its place, and the sweep looks at that place again.
    const auto odd = [](std::uint32_t e) { return e % 2 == 1; };
    for (std::size_t i = 0; i < table.size();) {
        PostingTable::List& list = table.list_at(i);
        list.erase(std::remove_if(list.begin(), list.end(), odd), list.end());
        if (!list.empty()) {
            ++i;
            continue;
        }
        const std::uint64_t key = table.key_at(i);
        reference.erase(key);
        order[i] = order.back();
        order.pop_back();
        table.erase_at(i);
    }
    for (auto& [key, list] : reference) list.erase(std::remove_if(list.begin(), list.end(), odd), list.end());
    EXPECT_LT(order.size(), pool.size());  // some did go
    expect_same(table, reference, order);
    // Everything dropped, from the front (every drop moves the last key): the table is empty and takes
    // new keys again.
    while (table.size() > 0) table.erase_at(0);
    EXPECT_EQ(table.find(pool[0]), nullptr);
    table[7].push_back(3);
    ASSERT_NE(table.find(7), nullptr);
    EXPECT_EQ(*table.find(7), PostingTable::List{3});
}

TEST(PostingTable, DroppingKeysInAnyOrderKeepsEveryOtherKeyFindable) {
    // Half the keys hash to the table's last slot (of 1,024 or 2,048: slot_of takes the bits from 20 up
    // of key · 2^64/φ), so that drops happen inside one long probe run that wraps around to the front,
    // where backward shifting is easy to get wrong; the other half are spread.
    std::mt19937_64 rng(11);
    PostingTable table;
    Reference reference;
    std::vector<std::uint64_t> keys;
    const auto home_is_last = [](std::uint64_t key) { return ((key * 0x9E3779B97F4A7C15ull) >> 20 & 2047) == 2047; };
    for (std::uint64_t key = 1; keys.size() < 300; ++key) {
        if (home_is_last(key)) keys.push_back(key);
    }
    while (keys.size() < 600) keys.push_back(rng());
    for (int round = 0; round < 4; ++round) {
        for (std::uint64_t key : keys) {
            if (rng() % 2 == 0) continue;
            table[key].push_back(static_cast<std::uint32_t>(round));
            reference[key].push_back(static_cast<std::uint32_t>(round));
        }
        for (std::size_t n = table.size() / 2; n > 0; --n) {
            const std::size_t i = rng() % table.size();
            reference.erase(table.key_at(i));
            table.erase_at(i);
        }
        ASSERT_EQ(table.size(), reference.size());
        for (std::uint64_t key : keys) {
            const PostingTable::List* found = table.find(key);
            const auto it = reference.find(key);
            if (it == reference.end()) {
                EXPECT_EQ(found, nullptr) << key;
            } else {
                ASSERT_NE(found, nullptr) << key;
                EXPECT_EQ(*found, it->second) << key;
            }
        }
    }
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
