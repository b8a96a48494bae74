// Posting lists by key: one open-addressing table (linear probing, power-of-two size, at most half
// full) over the lists, kept in a dense order: the order their keys first came, except that a dropped
// key's place goes to the last key. A lookup is one probe and the list, where a node-based hash map
// walks a bucket, a node and then the list; iteration (snapshots, the purge's sweep) follows the dense
// order, so the same history gives the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "routing_core/fibonacci_slot.hpp"

namespace routing_core {

class PostingTable {
public:
    using List = std::vector<std::uint32_t>;

    // The key's list, or null when the key has none.
    const List* find(std::uint64_t key) const noexcept {
        if (slots_.empty()) return nullptr;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t k = slot_of(key);; k = (k + 1) & mask) {
            if (slots_[k].list == free_slot) return nullptr;
            if (slots_[k].key == key) return &lists_[slots_[k].list];
        }
    }
    // Starts loading the key's slot into the cache, for a find() soon after: the lookup asks for a
    // score of keys, each slot a cache miss, and their misses overlap when all are fetched first.
    void prefetch(std::uint64_t key) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(&slots_[slot_of(key)]);
    }
    // The key's list, created empty when the key is new.
    List& operator[](std::uint64_t key);
    // Adds a key with its list; false (and nothing changes) when the key is already there.
    bool insert(std::uint64_t key, List list);
    void reserve(std::size_t keys);

    std::size_t size() const noexcept { return keys_.size(); }
    // f(key, list) for every key, in the dense order.
    template <typename F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < keys_.size(); ++i) f(keys_[i], lists_[i]);
    }
    // The key and the list at position i (< size()) of the dense order.
    std::uint64_t key_at(std::size_t i) const noexcept { return keys_[i]; }
    List& list_at(std::size_t i) noexcept { return lists_[i]; }
    const List& list_at(std::size_t i) const noexcept { return lists_[i]; }
    // Drops the key at position i with its list; the last key moves to position i (none other moves).
    void erase_at(std::size_t i);
    std::size_t memory_bytes() const noexcept;

private:
    static constexpr std::uint32_t free_slot = std::numeric_limits<std::uint32_t>::max();
    struct Slot {
        std::uint64_t key = 0;
        std::uint32_t list = free_slot;  // index into keys_ and lists_
    };
    std::size_t slot_of(std::uint64_t key) const noexcept { return fibonacci_slot(key, slots_.size() - 1); }
    // Re-files every key in a table of at least `slots` slots (a power of two), at most half full.
    void rebuild(std::size_t slots);
    // The slot that files position i.
    std::size_t slot_holding(std::size_t i) const noexcept;
    std::vector<Slot> slots_;
    std::vector<std::uint64_t> keys_;
    std::vector<List> lists_;
};

}  // namespace routing_core
