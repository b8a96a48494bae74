// What the prefaulter tests need of the process's heap: whether glibc's malloc grows it by brk here,
// where it ends, whether pages are resident, and blocks that grow it and show whether they were changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "routing_core/heap_prefaulter.hpp"

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define ROUTING_CORE_GLIBC_HEAP 1
#endif
// A sanitizer's allocator takes malloc's place and does not grow the program break.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ROUTING_CORE_OWN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ROUTING_CORE_OWN_MALLOC 1
#endif
#endif

#if defined(ROUTING_CORE_GLIBC_HEAP) && !defined(ROUTING_CORE_OWN_MALLOC)
#define ROUTING_CORE_BRK_HEAP 1

namespace routing_core::heap_pages {

inline std::uintptr_t program_break() { return reinterpret_cast<std::uintptr_t>(sbrk(0)); }

// Whether every page of [begin, end) is resident (mincore).
inline bool resident(std::uintptr_t begin, std::uintptr_t end) {
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> pages((end - begin + page - 1) / page);
    if (mincore(reinterpret_cast<void*>(begin), end - begin, pages.data()) != 0) return false;
    for (unsigned char p : pages) {
        if ((p & 1) == 0) return false;
    }
    return true;
}

// Slack at the heap's top, as glibc.malloc.top_pad gives, and blocks of 512 KiB from the heap, not mmap.
inline bool keep_top_pad() {
    return mallopt(M_TOP_PAD, 64 << 20) == 1 && mallopt(M_MMAP_THRESHOLD, 1 << 20) == 1;
}

using Blocks = std::vector<std::vector<unsigned char>>;

// Blocks of 512 KiB, block b filled with b * 7 + 1, until the break has moved `huge_pages` huge pages
// past `from`; empty when 128 MiB did not move it.
inline Blocks grow_heap(std::uintptr_t from, std::size_t huge_pages) {
    Blocks blocks;
    while (program_break() < from + huge_pages * HeapPrefaulter::huge_page) {
        if (blocks.size() == 256) return {};
        blocks.emplace_back(512 << 10, static_cast<unsigned char>(blocks.size() * 7 + 1));
    }
    return blocks;
}

// The first block whose bytes are no longer its fill, or blocks.size() when none is.
inline std::size_t first_changed_block(const Blocks& blocks) {
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        for (unsigned char c : blocks[b]) {
            if (c != static_cast<unsigned char>(b * 7 + 1)) return b;
        }
    }
    return blocks.size();
}

}  // namespace routing_core::heap_pages

#endif
