#include "routing_core/background_prefaulter.hpp"

#include <limits>
#include <system_error>

#ifdef __unix__
#include <pthread.h>
#endif

namespace routing_core {

BackgroundPrefaulter& BackgroundPrefaulter::instance() {
    static BackgroundPrefaulter* const one = new BackgroundPrefaulter;
    return *one;
}

BackgroundPrefaulter::BackgroundPrefaulter() {
    publish_coverage();
#ifdef __unix__
    pthread_atfork(&BackgroundPrefaulter::before_fork, &BackgroundPrefaulter::after_fork,
                   &BackgroundPrefaulter::after_fork);
#endif
}

std::size_t BackgroundPrefaulter::try_step(std::size_t most) {
    std::unique_lock<std::mutex> lock(step_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return 0;
    const std::size_t populated = prefaulter_.step(most);
    publish_coverage();
    return populated;
}

void BackgroundPrefaulter::publish_coverage() noexcept {
    const std::uintptr_t covered =
        prefaulter_.available() ? prefaulter_.populated_to() : std::numeric_limits<std::uintptr_t>::max();
    covered_.store(covered, std::memory_order_relaxed);
}

void BackgroundPrefaulter::nudge() noexcept {
    constexpr std::uintptr_t huge = HeapPrefaulter::huge_page;
    const std::uintptr_t covered = covered_.load(std::memory_order_relaxed);
    if (covered == std::numeric_limits<std::uintptr_t>::max()) return;  // the system offers no way
    if (started_.load(std::memory_order_relaxed) && covered != 0 &&
        HeapPrefaulter::heap_end() / huge * huge <= covered) {
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (forking_) return;
        if (!thread_.joinable()) {
            try {
                thread_ = std::thread(&BackgroundPrefaulter::run, this);
            } catch (const std::system_error&) {
                return;  // no thread to be had now (a process or container limit); a later nudge tries again
            }
            started_.store(true, std::memory_order_relaxed);
        }
        nudged_ = true;
    }
    wake_.notify_one();
}

void BackgroundPrefaulter::run() {
#ifdef __linux__
    pthread_setname_np(pthread_self(), thread_name);  // what `top -H` and /proc/<pid>/task/*/comm show
#endif
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_.load(std::memory_order_relaxed)) {
        nudged_ = false;
        lock.unlock();
        // A huge page at a time, so that a fork waits for one at most.
        while (!stopping_.load(std::memory_order_relaxed) && try_step(HeapPrefaulter::huge_page) > 0) {
        }
        lock.lock();
        wake_.wait(lock, [&] { return nudged_ || stopping_.load(std::memory_order_relaxed); });
    }
}

void BackgroundPrefaulter::before_fork() {
    BackgroundPrefaulter& self = instance();
    std::unique_lock<std::mutex> lock(self.mutex_);
    self.forking_ = true;  // a nudge meanwhile starts no thread
    if (self.thread_.joinable()) {
        self.stopping_.store(true, std::memory_order_relaxed);
        lock.unlock();
        self.wake_.notify_one();
        self.thread_.join();
        lock.lock();
        self.stopping_.store(false, std::memory_order_relaxed);
        self.started_.store(false, std::memory_order_relaxed);
    }
    lock.release();            // held across the fork: unlocked by after_fork, in both processes
    self.step_mutex_.lock();   // not mid-step in a batch's helper either
}

void BackgroundPrefaulter::after_fork() {
    BackgroundPrefaulter& self = instance();
    self.step_mutex_.unlock();
    self.forking_ = false;
    self.mutex_.unlock();
}

}  // namespace routing_core
