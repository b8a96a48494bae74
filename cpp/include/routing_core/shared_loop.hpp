// A loop whose iterations the calling thread shares with helper threads that happen to be idle: the
// matching thread runs the full scoring of a report's shortlisted candidates through it, and a batch's
// preparing workers join in whenever they have nothing left to prepare. Iterations are handed out one
// at a time from a shared counter and each writes only its own slot, so the results are exactly what
// the calling thread alone would compute, whoever runs which iteration.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>

namespace routing_core {

class SharedLoop {
public:
    // body(i, worker): iteration i, run by `worker` (0 is the thread calling run(), helpers pass their
    // own number > 0, so that each can keep per-worker scratch). A reference to the caller's callable,
    // not a copy (run() returns before the callable can go): a loop runs per report, and a
    // std::function would allocate for each one.
    class Body {
    public:
        template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Body>>>
        Body(const F& body) noexcept  // NOLINT(google-explicit-constructor): a lambda passes as a Body
            : body_(&body), call_([](const void* b, std::size_t i, std::size_t worker) {
                  (*static_cast<const F*>(b))(i, worker);
              }) {}
        void operator()(std::size_t i, std::size_t worker) const { call_(body_, i, worker); }

    private:
        const void* body_;
        void (*call_)(const void*, std::size_t, std::size_t);
    };

    // Runs body(i, worker) once for every i < n, here and in any helper that calls help() meanwhile;
    // returns when every iteration has finished and no helper is still inside. Rethrows the first
    // exception an iteration threw (the others still run). One run() at a time.
    void run(std::size_t n, const Body& body) {
        n_ = n;
        next_.store(0, std::memory_order_relaxed);
        done_.store(0, std::memory_order_relaxed);
        failure_ = nullptr;
        body_.store(&body, std::memory_order_seq_cst);  // publishes n_ and the counters with it
        wake_all();
        work(body, 0);
        if (done_.load(std::memory_order_acquire) < n) {
            // A helper is still on an iteration. On an oversubscribed machine it may have lost its
            // processor mid-iteration, and this thread waits a whole time slice: after a few such
            // waits the helpers are kept out until reenable() (the results do not depend on it).
            const auto started = std::chrono::steady_clock::now();
            while (done_.load(std::memory_order_acquire) < n) pause();
            if (std::chrono::steady_clock::now() - started > straggler_wait && ++stragglers_ >= straggler_limit) {
                enabled_.store(false, std::memory_order_relaxed);
            }
        }
        body_.store(nullptr, std::memory_order_seq_cst);
        // A helper that saw the body before it was withdrawn may still be between reading it and
        // finding the counter spent: wait for it, so that nothing of this run is touched after.
        while (inside_.load(std::memory_order_seq_cst) != 0) pause();
        if (failure_) std::rethrow_exception(failure_);
    }

    // Takes part in the loop that is running, if any, as `worker` (> 0). Returns whether one was.
    bool help(std::size_t worker) {
        if (!enabled_.load(std::memory_order_relaxed)) return false;
        inside_.fetch_add(1, std::memory_order_seq_cst);
        const Body* body = body_.load(std::memory_order_seq_cst);
        if (body != nullptr) work(*body, worker);
        inside_.fetch_sub(1, std::memory_order_release);
        return body != nullptr;
    }

    // For a helper with nothing else to do: takes part in every loop that runs until `stop` is set
    // (then call wake_all()). Between loops it spins for a while, then sleeps until the next one, so
    // that helpers on an oversubscribed machine leave the processor to the thread that runs the loops.
    void help_until(const std::atomic<bool>& stop, std::size_t worker) {
        constexpr unsigned spin_limit = 8192;  // about 0.1-0.3 ms of pause instructions
        unsigned idle = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            if (help(worker)) {
                idle = 0;
            } else if (++idle < spin_limit) {
                pause();
            } else {
                std::unique_lock<std::mutex> lock(sleep_mutex_);
                sleepers_.fetch_add(1, std::memory_order_seq_cst);
                wake_.wait_for(lock, std::chrono::milliseconds(1), [&] {
                    return body_.load(std::memory_order_seq_cst) != nullptr || stop.load(std::memory_order_relaxed);
                });
                sleepers_.fetch_sub(1, std::memory_order_relaxed);
                if (body_.load(std::memory_order_relaxed) != nullptr) idle = 0;
            }
        }
    }

    // Lets helpers take part again (run() keeps them out after repeated long waits for one).
    void reenable() {
        stragglers_ = 0;
        enabled_.store(true, std::memory_order_relaxed);
    }

    // Wakes sleeping helpers (a loop started, or they are told to stop); cheap when none sleeps.
    void wake_all() {
        if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
        { const std::lock_guard<std::mutex> lock(sleep_mutex_); }  // a helper between its check and its wait
        wake_.notify_all();
    }

    // What a thread waiting for a short while does: a processor hint, and now and then its slice back.
    static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        thread_local unsigned spins = 0;
        if ((++spins & 255u) == 0) std::this_thread::yield();
    }

private:
    void work(const Body& body, std::size_t worker) {
        for (std::size_t i = next_.fetch_add(1, std::memory_order_relaxed); i < n_;
             i = next_.fetch_add(1, std::memory_order_relaxed)) {
            try {
                body(i, worker);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(failure_mutex_);
                if (!failure_) failure_ = std::current_exception();
            }
            done_.fetch_add(1, std::memory_order_acq_rel);
        }
    }

    static constexpr std::chrono::microseconds straggler_wait{200};
    static constexpr unsigned straggler_limit = 4;

    std::atomic<const Body*> body_{nullptr};
    std::atomic<bool> enabled_{true};
    unsigned stragglers_ = 0;
    std::size_t n_ = 0;
    std::atomic<std::size_t> next_{0};
    std::atomic<std::size_t> done_{0};
    std::atomic<std::size_t> inside_{0};
    std::mutex failure_mutex_;
    std::exception_ptr failure_;
    std::atomic<std::size_t> sleepers_{0};
    std::mutex sleep_mutex_;
    std::condition_variable wake_;
};

}  // namespace routing_core
