// StringTable against std::unordered_map as a reference: numbers in arrival order, finds of
// strings added and never added, growth through many rebuilds, and bytes a C string cannot hold.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "routing_core/string_table.hpp"

using namespace routing_core;

TEST(StringTable, NumbersStringsInArrivalOrderAndKeepsEachOnce) {
    StringTable table;
    EXPECT_EQ(table.find("R1"), StringTable::none);
    EXPECT_EQ(table.intern("R1"), 0u);
    EXPECT_EQ(table.intern(""), 1u);
    EXPECT_EQ(table.intern("已处置"), 2u);
    EXPECT_EQ(table.intern("R1"), 0u);  // again: the same number, nothing added
    EXPECT_EQ(table.size(), 3u);
    EXPECT_EQ(table[0], "R1");
    EXPECT_EQ(table[1], "");
    EXPECT_EQ(table[2], "已处置");
    EXPECT_EQ(table.find(""), 1u);
    EXPECT_EQ(table.find("R"), StringTable::none);   // a prefix is another string
    EXPECT_EQ(table.find("R10"), StringTable::none);  // and so is an extension
}

TEST(StringTable, TellsApartStringsWithNulBytes) {
    StringTable table;
    const std::string a("a\0b", 3), b("a\0c", 3), c("a", 1);
    EXPECT_EQ(table.intern(a), 0u);
    EXPECT_EQ(table.intern(b), 1u);
    EXPECT_EQ(table.intern(c), 2u);
    EXPECT_EQ(table[0], a);
    EXPECT_EQ(table.find(b), 1u);
}

TEST(StringTable, AgreesWithAHashMapThroughGrowth) {
    std::mt19937_64 rng(11);
    StringTable table;
    std::unordered_map<std::string, std::uint32_t> reference;
    std::vector<std::string> by_number;
    // Report-id-like strings from a pool small enough that many repeat, of varied lengths.
    for (int i = 0; i < 60000; ++i) {
        std::string s = "R" + std::to_string(rng() % 40000);
        if (rng() % 7 == 0) s += std::string(rng() % 40, 'x');
        const auto [it, added] = reference.emplace(s, static_cast<std::uint32_t>(by_number.size()));
        if (added) by_number.push_back(s);
        ASSERT_EQ(table.intern(s), it->second) << s;
    }
    ASSERT_EQ(table.size(), by_number.size());
    for (std::uint32_t n = 0; n < by_number.size(); ++n) {
        ASSERT_EQ(table[n], by_number[n]);
        ASSERT_EQ(table.find(by_number[n]), n);
    }
    for (int i = 0; i < 1000; ++i) {
        const std::string absent = "Q" + std::to_string(rng());
        ASSERT_EQ(table.find(absent), StringTable::none) << absent;
    }
}

TEST(StringTable, ReserveKeepsNumbersAndFinds) {
    StringTable table;
    table.intern("a");
    table.intern("b");
    const std::size_t before = table.memory_bytes();
    table.reserve(100000, 1000000);
    EXPECT_GT(table.memory_bytes(), before);
    EXPECT_EQ(table.find("a"), 0u);
    EXPECT_EQ(table.find("b"), 1u);
    EXPECT_EQ(table.intern("c"), 2u);
}
