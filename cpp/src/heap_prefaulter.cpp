#include "routing_core/heap_prefaulter.hpp"

#include <algorithm>

#ifdef __linux__
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#endif

namespace routing_core {

#ifdef __linux__
namespace {

#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older headers lack the name
#endif

// The program break from the kernel: another thread's malloc may move it at any time, and the
// system call reads it without touching libc's own copy.
std::uintptr_t program_break() noexcept { return static_cast<std::uintptr_t>(syscall(SYS_brk, 0)); }

}  // namespace

std::size_t HeapPrefaulter::step(std::size_t most) {
    if (!available_) return 0;
    const std::uintptr_t brk = program_break();
    const std::uintptr_t end = brk / huge_page * huge_page;
    if (done_ == 0 || end < done_) {
        // At first, or after malloc gave memory back: from the end, rounded up (the heap may begin
        // within the huge page the end is in).
        done_ = (brk + huge_page - 1) / huge_page * huge_page;
        return 0;
    }
    const std::size_t length = std::min<std::size_t>(end - done_, most / huge_page * huge_page);
    if (length == 0) return 0;
    if (madvise(reinterpret_cast<void*>(done_), length, MADV_POPULATE_WRITE) != 0) {
        // EINVAL: a kernel before 5.14 (or advice it refuses): never again. ENOMEM, EFAULT: malloc gave
        // part of the range back meanwhile; the next step starts from the new end.
        if (errno == EINVAL || errno == EPERM) available_ = false;
        done_ = 0;
        return 0;
    }
    done_ += length;
    return length;
}

std::uintptr_t HeapPrefaulter::heap_end() noexcept {
    void* end = sbrk(0);  // libc's own copy of the break
    return end == reinterpret_cast<void*>(-1) ? 0 : reinterpret_cast<std::uintptr_t>(end);
}

#else

std::size_t HeapPrefaulter::step(std::size_t) { return 0; }

std::uintptr_t HeapPrefaulter::heap_end() noexcept { return 0; }

#endif

}  // namespace routing_core
