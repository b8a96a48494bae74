// The main heap's free top faulted in ahead of use, by a thread that would otherwise be idle.
//
// The first write to a page the process has not used costs a page fault and the kernel zeroing it; on a
// virtual machine a 2 MiB huge page the guest has not used lately costs far more (the host backs it on
// first touch: ~100-200 MiB/s on the KVM hosts of benchmarks/RESULTS.md, stop 34). The heap grows with
// the engine, so over a replayed year the matching thread would pay that for ~1.8 GiB. When malloc keeps
// slack at the heap's top (glibc's M_TOP_PAD, e.g. GLIBC_TUNABLES=glibc.malloc.top_pad=67108864), an idle
// helper can populate that slack first: madvise(MADV_POPULATE_WRITE) faults pages in without writing
// them, so memory malloc has already handed out is left as it is. Linux only; elsewhere, or on kernels
// before 5.14, step() does nothing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace routing_core {

class HeapPrefaulter {
public:
    // Populates at most `most` bytes of the main heap (the one brk grows), from where the last step
    // ended up to the heap's end, in whole huge pages. The first step only notes the heap's end (rounded
    // up to a huge page): what lies below it is already in use. Returns the bytes populated: 0 when
    // there is nothing new, or the system offers no way. Not thread-safe: one thread steps it at a time.
    std::size_t step(std::size_t most);

    // Whether step() can ever do anything here (Linux, and the kernel took the advice so far).
    bool available() const noexcept { return available_; }

    // Populated (or there at the first step) below this address; 0 before the first step.
    std::uintptr_t populated_to() const noexcept { return done_; }

    // The heap's end as libc last set it: no system call, for a cheap check of whether step() has work.
    // 0 where there is no such heap.
    static std::uintptr_t heap_end() noexcept;

    static constexpr std::size_t huge_page = std::size_t{2} << 20;

private:
    // Populated (or there at the start) below this address; 0 before the first step.
    std::uintptr_t done_ = 0;
#ifdef __linux__
    bool available_ = true;
#else
    bool available_ = false;
#endif
};

}  // namespace routing_core
