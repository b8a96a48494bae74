// Deleting from the flat linear-probing tables (PostingTable, ShingleCounts) without tombstones: the
// entries after the freed slot in its probe run move back into it when their home slot allows, so a
// probe never stops short of an entry and the table never fills with dead slots.
#pragma once

#include <cstddef>

namespace routing_core::detail {

// Frees slot `hole` of `slots` (a power-of-two vector of slots probed linearly). `is_free(slot)` tells
// an empty slot, `home(slot)` the slot an entry's key hashes to; an empty slot is value-initialised.
template <typename Slots, typename IsFree, typename Home>
void backward_shift_erase(Slots& slots, std::size_t hole, const IsFree& is_free, const Home& home) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t k = (hole + 1) & mask; !is_free(slots[k]); k = (k + 1) & mask) {
        // The entry at k may fill the hole unless its home lies cyclically in (hole, k]: then a probe for
        // it starts after the hole and would never look there.
        const std::size_t from_home = (k - home(slots[k])) & mask;
        const std::size_t from_hole = (k - hole) & mask;
        if (from_home >= from_hole) {
            slots[hole] = slots[k];
            hole = k;
        }
    }
    slots[hole] = typename Slots::value_type{};
}

}  // namespace routing_core::detail
