// The process's one heap prefaulter (heap_prefaulter.hpp), and a thread that steps it between calls.
//
// The heap belongs to the process, not to an engine, so one prefaulter serves every engine: two of them,
// or a lean batch's helper and the thread below, never populate the same pages twice. Engines with two
// or more threads nudge it when a single submit, or a batch small enough for one thread, ends (a lean
// batch on more has its helper). The thread then faults in the heap's new top while the caller goes
// on, so that the next calls do not meet a huge page's first touch (~6 ms on the virtual machines of
// benchmarks/RESULTS.md). Between nudges it waits without a timer: an idle process is not woken.
// Engines with one thread never start it.
//
// fork(): the child would inherit the prefaulter's locks but not the thread. Before a fork the thread is
// stopped and joined (pthread_atfork), and the next nudge starts it again, in the parent and the child.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "routing_core/heap_prefaulter.hpp"

namespace routing_core {

class BackgroundPrefaulter {
public:
    // The process's one instance. It is never destroyed: a thread still waiting at the process's end
    // touches nothing that exit() tears down.
    static BackgroundPrefaulter& instance();

    // Steps the prefaulter by at most `most` bytes, unless another thread is stepping it. Returns the
    // bytes populated: 0 when there is nothing new, the prefaulter is busy, or the system offers no way.
    std::size_t try_step(std::size_t most);

    // Starts the thread if it is not running, and wakes it when the heap's end has moved a huge page
    // or more past what is populated; otherwise it costs two loads and a comparison. When no thread can
    // be started, or the system offers no way to populate, nothing happens: the calls then fault their
    // pages in themselves.
    void nudge() noexcept;

    // Whether the thread is running now, and how far the heap is populated (for tests).
    bool running() const noexcept { return started_.load(std::memory_order_relaxed); }
    std::uintptr_t populated_to() const noexcept { return covered_.load(std::memory_order_relaxed); }

    // The thread's name on Linux.
    static constexpr const char* thread_name = "heap-prefault";

    BackgroundPrefaulter(const BackgroundPrefaulter&) = delete;
    BackgroundPrefaulter& operator=(const BackgroundPrefaulter&) = delete;

private:
    BackgroundPrefaulter();
    ~BackgroundPrefaulter() = delete;
    void run();
    // covered_ from the prefaulter, under step_mutex_ (or before any other thread can see it).
    void publish_coverage() noexcept;
    static void before_fork();
    static void after_fork();

    std::mutex step_mutex_;
    HeapPrefaulter prefaulter_;  // guarded by step_mutex_
    // Populated below this address, as the last step left it; 0 before the first step, and the largest
    // address when the system offers no way (nudges then do nothing).
    std::atomic<std::uintptr_t> covered_{0};
    std::mutex mutex_;  // guards what follows
    std::condition_variable wake_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};  // read by the thread between steps without the lock
    std::atomic<bool> started_{false};   // the thread is running: read without the lock
    bool nudged_ = false;
    bool forking_ = false;  // between before_fork and after_fork: no new thread
};

}  // namespace routing_core
