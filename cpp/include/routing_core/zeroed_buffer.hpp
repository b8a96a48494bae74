// A fixed-size array of a trivially copyable T, all zero when made, from calloc. For a large array the
// allocator maps fresh pages, which the kernel zeroes when each is first touched: making one does not
// write every element, as std::vector<T>(n) does (page by page, the whole array at once: on the VM
// of benchmarks/RESULTS.md about 3 ms per MiB, a pause of its own when a table or an array by event
// doubles in the middle of a report).
//
// Its users write it at random (a hash table) or sparsely, so a large one asks the kernel for small
// pages (Linux: MADV_NOHUGEPAGE): with 2 MiB pages, as `routing-core bench` runs malloc, the first
// 5,000 random writes into a fresh 64 MiB buffer touched all 32 pages at once (176 ms in one batch of
// reports on that VM); with 4 KiB pages the same zeroing is spread over ~20 batches (7.6 ms in the
// first). Later random writes took 0.13 ms per 5,000 against 0.11 ms with 2 MiB pages, in that test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace routing_core {

template <typename T>
class ZeroedBuffer {
    static_assert(std::is_trivially_copyable_v<T>, "calloc's zero bytes must be a valid T");

public:
    ZeroedBuffer() = default;
    explicit ZeroedBuffer(std::size_t n) : size_(n) {
        if (n == 0) return;
        data_.reset(static_cast<T*>(std::calloc(n, sizeof(T))));
        if (!data_) throw std::bad_alloc();
        small_pages(data_.get(), n * sizeof(T));
    }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    std::size_t size() const noexcept { return size_; }

private:
    // Advice only: where it is not understood, the buffer works the same.
    static void small_pages([[maybe_unused]] void* p, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_NOHUGEPAGE)
        constexpr std::size_t page = 4096;
        constexpr std::size_t huge = std::size_t{2} << 20;
        if (bytes < 2 * huge) return;
        const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
        const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(page - 1);
        ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_NOHUGEPAGE);
#endif
    }
    struct Free {
        void operator()(T* p) const noexcept { std::free(p); }
    };
    std::unique_ptr<T[], Free> data_;
    std::size_t size_ = 0;
};

}  // namespace routing_core
