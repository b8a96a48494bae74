// The size rule shared by the flat open-addressing tables (PostingTable, StringTable): a power of two,
// at least 1,024 slots, with the entries taking at most half of them, so that linear probes stay short.
#pragma once

#include <cstddef>

namespace routing_core::detail {

inline std::size_t half_full_slots(std::size_t entries) noexcept {
    std::size_t slots = 1024;
    while (slots < 2 * entries + 2) slots *= 2;
    return slots;
}

}  // namespace routing_core::detail
