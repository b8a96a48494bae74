// HeapPrefaulter: it populates the heap's free top as malloc grows it, in whole huge pages, without
// changing a byte of what malloc already handed out; it starts from the heap's end and says 0 when
// nothing is new.
#include "routing_core/heap_prefaulter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "heap_pages.hpp"

namespace routing_core {
namespace {

#ifdef ROUTING_CORE_BRK_HEAP

using heap_pages::program_break;
using heap_pages::resident;

TEST(HeapPrefaulter, PopulatesTheTopMallocKeepsWithoutChangingWhatItHandedOut) {
    constexpr std::size_t huge = HeapPrefaulter::huge_page;
    ASSERT_TRUE(heap_pages::keep_top_pad());
    HeapPrefaulter prefaulter;
    ASSERT_TRUE(prefaulter.available());
    EXPECT_EQ(prefaulter.step(8 * huge), 0u);  // the first step notes where the heap ends
    const std::uintptr_t start = (program_break() + huge - 1) / huge * huge;
    EXPECT_EQ(prefaulter.step(8 * huge), 0u);  // nothing new yet

    // Blocks until the break has moved by more than a few huge pages, each filled with its number.
    const heap_pages::Blocks blocks = heap_pages::grow_heap(start, 6);
    if (blocks.empty()) GTEST_SKIP() << "128 MiB allocated and the program break did not move";
    const std::uintptr_t end = program_break() / huge * huge;
    // Most of the new top is slack nothing has written yet (the top pad).
    EXPECT_FALSE(resident(end - huge, end));

    EXPECT_EQ(prefaulter.step(huge / 2), 0u);  // less than a huge page: nothing
    std::size_t total = 0;
    const std::size_t first = prefaulter.step(2 * huge);
    if (!prefaulter.available()) GTEST_SKIP() << "a kernel before 5.14: no MADV_POPULATE_WRITE";
    EXPECT_EQ(first, 2 * huge);  // at most what it is given
    total += 2 * huge;
    while (const std::size_t n = prefaulter.step(3 * huge)) {
        EXPECT_EQ(n % huge, 0u);
        total += n;
    }
    EXPECT_EQ(total, end - start);  // up to the heap's end, in huge pages
    EXPECT_TRUE(resident(start, end));
    EXPECT_EQ(heap_pages::first_changed_block(blocks), blocks.size());  // every block as it was filled
}

#endif

TEST(HeapPrefaulter, SaysWhenItCanNeverHelp) {
    HeapPrefaulter prefaulter;
#ifdef __linux__
    EXPECT_TRUE(prefaulter.available());
#else
    EXPECT_FALSE(prefaulter.available());
    EXPECT_EQ(prefaulter.step(HeapPrefaulter::huge_page), 0u);
#endif
}

}  // namespace
}  // namespace routing_core
