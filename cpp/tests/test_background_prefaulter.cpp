// BackgroundPrefaulter: a nudge starts its thread, which populates the heap's new top while the caller
// goes on and leaves what malloc handed out as it was; a fork stops the thread, and a nudge after it
// starts one again in the parent and in the child.
#include "routing_core/background_prefaulter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "heap_pages.hpp"

#ifdef __unix__
#include <sys/wait.h>
#include <unistd.h>
#endif
#ifdef __linux__
#include <sys/syscall.h>
#endif

namespace routing_core {
namespace {

// Polls `done` for up to 30 s (a huge page's first touch takes ~10 ms on a slow virtual machine).
template <typename Done>
bool eventually(const Done& done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

#ifdef ROUTING_CORE_BRK_HEAP

using heap_pages::grow_heap;
using heap_pages::program_break;
using heap_pages::resident;
constexpr std::size_t huge = HeapPrefaulter::huge_page;

bool unchanged(const heap_pages::Blocks& blocks) {
    return heap_pages::first_changed_block(blocks) == blocks.size();
}

TEST(BackgroundPrefaulter, ANudgePopulatesTheNewTopWhileTheCallerGoesOn) {
    ASSERT_TRUE(heap_pages::keep_top_pad());
    BackgroundPrefaulter& prefaulter = BackgroundPrefaulter::instance();
    EXPECT_EQ(HeapPrefaulter::heap_end(), static_cast<std::uintptr_t>(syscall(SYS_brk, 0)));
    prefaulter.nudge();  // starts the thread, whose first step notes where the heap ends
    ASSERT_TRUE(eventually([&] { return prefaulter.populated_to() != 0; }));
    EXPECT_TRUE(prefaulter.running());
    const std::uintptr_t start = prefaulter.populated_to();
    EXPECT_EQ(start, (program_break() + huge - 1) / huge * huge);

    const auto blocks = grow_heap(start, 6);
    if (blocks.empty()) GTEST_SKIP() << "128 MiB allocated and the program break did not move";
    const std::uintptr_t end = program_break() / huge * huge;
    EXPECT_FALSE(resident(end - huge, end));  // the top pad: nothing has written there yet
    EXPECT_EQ(prefaulter.populated_to(), start);  // no nudge, no step

    prefaulter.nudge();
    ASSERT_TRUE(eventually([&] { return prefaulter.populated_to() >= end; }))
        << "populated to " << prefaulter.populated_to() << ", the heap ends at " << end;
    EXPECT_EQ(prefaulter.populated_to(), end);  // whole huge pages, up to the heap's end
    EXPECT_TRUE(resident(start, end));
    EXPECT_TRUE(unchanged(blocks));
    EXPECT_TRUE(prefaulter.running());  // it waits for the next nudge
}

TEST(BackgroundPrefaulter, AForkStopsTheThreadAndANudgeStartsItAgainOnEitherSide) {
    ASSERT_TRUE(heap_pages::keep_top_pad());
    BackgroundPrefaulter& prefaulter = BackgroundPrefaulter::instance();
    prefaulter.nudge();
    ASSERT_TRUE(eventually([&] { return prefaulter.populated_to() != 0; }));
    ASSERT_TRUE(prefaulter.running());

    const pid_t child = fork();
    ASSERT_NE(child, -1);
    if (child == 0) {
        // Exit codes name what failed: no gtest assertions in the child.
        if (prefaulter.running()) _exit(2);
        const std::uintptr_t start = prefaulter.populated_to();
        const auto blocks = grow_heap(start, 3);
        if (blocks.empty()) _exit(0);  // the break did not move (the parent's test says so)
        const std::uintptr_t end = program_break() / huge * huge;
        prefaulter.nudge();
        if (!prefaulter.running()) _exit(3);
        if (!eventually([&] { return prefaulter.populated_to() >= end; })) _exit(4);
        if (!resident(start, end) || !unchanged(blocks)) _exit(5);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);

    EXPECT_FALSE(prefaulter.running());  // stopped before the fork, not started since
    const std::uintptr_t start = prefaulter.populated_to();
    const auto blocks = grow_heap(start, 3);
    if (blocks.empty()) GTEST_SKIP() << "128 MiB allocated and the program break did not move";
    const std::uintptr_t end = program_break() / huge * huge;
    prefaulter.nudge();
    EXPECT_TRUE(prefaulter.running());
    ASSERT_TRUE(eventually([&] { return prefaulter.populated_to() >= end; }));
    EXPECT_TRUE(resident(start, end));
    EXPECT_TRUE(unchanged(blocks));
}

#endif

TEST(BackgroundPrefaulter, ConcurrentStepsAndNudgesAreSafe) {
    // Two threads stepping and nudging at once while a third allocates (run under ThreadSanitizer by
    // hand: see benchmarks/RESULTS.md, stop 37); each step takes the prefaulter or leaves it.
    BackgroundPrefaulter& prefaulter = BackgroundPrefaulter::instance();
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&] {
            while (!stop.load()) {
                prefaulter.try_step(HeapPrefaulter::huge_page);
                prefaulter.nudge();
            }
        });
    }
    std::vector<std::vector<char>> blocks;
    for (int i = 0; i < 200; ++i) blocks.emplace_back(256 << 10, 'x');
    stop.store(true);
    for (auto& t : threads) t.join();
    for (const auto& b : blocks) EXPECT_EQ(b.back(), 'x');
}

}  // namespace
}  // namespace routing_core
