// StringTable against std::unordered_map as a reference: numbers in arrival order, finds of
// strings added and never added, growth through many rebuilds (with finds while the strings are being
// moved to the bigger table), bytes a C string cannot hold, views that stay valid as it grows, and
// strings longer than a block.
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
    EXPECT_EQ(table[1], "b");
    EXPECT_EQ(table.find("a"), 0u);
    EXPECT_EQ(table.find("b"), 1u);
    EXPECT_EQ(table.intern("c"), 2u);
}

TEST(StringTable, FindsEveryStringWhileMovingToABiggerTable) {
    // After every intern, earlier strings (the first, the latest and a random one) are found and an
    // absent one is not: the table grows 1,024 -> 32,768 slots here, each move spread over later interns.
    std::mt19937_64 rng(5);
    StringTable table;
    std::vector<std::string> added;
    for (int i = 0; i < 12000; ++i) {
        added.push_back("E" + std::to_string(i * 7919));
        ASSERT_EQ(table.intern(added.back()), static_cast<std::uint32_t>(i));
        ASSERT_EQ(table.find(added.front()), 0u) << i;
        ASSERT_EQ(table.find(added.back()), static_cast<std::uint32_t>(i));
        const std::size_t k = rng() % added.size();
        ASSERT_EQ(table.find(added[k]), k) << i;
        ASSERT_EQ(table.intern(added[k]), k) << i;  // again: found, not added
        ASSERT_EQ(table.find("absent" + std::to_string(i)), StringTable::none);
    }
    ASSERT_EQ(table.size(), added.size());
}

TEST(StringTable, ViewsStayValidAndLongStringsFit) {
    StringTable table;
    table.intern("first");
    const std::string_view first = table[0];
    const std::string long_one(3 << 20, 'L');  // longer than any block the rule makes
    for (int i = 0; i < 50000; ++i) {
        if (i == 20000) {
            EXPECT_EQ(table.intern(long_one), 20001u);  // after "first" and R0..R19999
        }
        if (i == 20001) {
            EXPECT_EQ(table.intern(""), 20003u);  // after R20000
        }
        table.intern("R" + std::to_string(i));
    }
    EXPECT_EQ(table[0].data(), first.data());  // never moved
    EXPECT_EQ(first, "first");
    EXPECT_EQ(table[20001], long_one);
    EXPECT_EQ(table[20002], "R20000");  // the block after the long string's own
    EXPECT_EQ(table[20003], "");
    EXPECT_EQ(table[20004], "R20001");
    EXPECT_EQ(table.find(long_one), 20001u);
    EXPECT_EQ(table.find(""), 20003u);
    // "R0".."R49999": 10·2 + 90·3 + 900·4 + 9000·5 + 40000·6 = 288,890 bytes.
    EXPECT_EQ(table.text_bytes(), std::string("first").size() + long_one.size() + 288890u);
    EXPECT_GE(table.memory_bytes(), table.text_bytes());
}
