// Strings numbered in the order they were added, each kept once: the bytes of all of them in a few
// large blocks, where a node-based map from std::string spends a node, a hash, a pointer and a 32-byte
// string object on each (about 136 bytes for a report id of ten characters, against about 35 here).
// An open-addressing table (linear probing, power-of-two size, at most half full) finds a string's
// number; each slot keeps 32 bits of the string's hash, so that a probe compares bytes only when
// those match. Strings are never removed: numbers stay valid for the table's life.
//
// Nothing grows all at once (the report ids of a city-year are 4 million strings; when the flat
// buffers and the table doubled at 2^20 and 2^21 of them, the batch of 1,000 reports that set it off
// took 0.17 and 0.24 s on the city-year replay, against ~0.08 s for the batches around it):
// - the bytes go in blocks that are never moved (a string lies whole in one block), and the string
//   ends in chunks (ChunkedVector);
// - when the table must grow, the bigger one is taken from calloc (the kernel's zeroed pages, no pass
//   writing every slot) and the strings are moved into it a few slots of the old table per intern(),
//   long before it fills up; until then a find() that misses the new table looks in the old one, which
//   still holds every string it held (it is only read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "routing_core/chunked_vector.hpp"
#include "routing_core/zeroed_buffer.hpp"

namespace routing_core {

class StringTable {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    // The string's number, or `none` when it was never added.
    std::uint32_t find(std::string_view s) const noexcept;
    // Adds the string (when new) and returns its number. Throws std::length_error past 2^32 - 2
    // strings or for a string of 4 GiB or more (offsets in a block are 32-bit).
    std::uint32_t intern(std::string_view s);
    // The string numbered `n` (n < size()); valid for the table's life (blocks never move).
    std::string_view operator[](std::uint32_t n) const noexcept {
        const std::uint64_t end = ends_[n];
        const std::uint64_t block = end >> 32;
        const std::uint64_t begin = n > 0 && ends_[n - 1] >> 32 == block ? ends_[n - 1] & offset_mask : 0;
        return {blocks_[block].get() + begin, static_cast<std::size_t>((end & offset_mask) - begin)};
    }
    std::size_t size() const noexcept { return ends_.size(); }
    bool empty() const noexcept { return ends_.empty(); }
    // The bytes of all strings together.
    std::size_t text_bytes() const noexcept { return text_bytes_; }
    // Room for `strings` strings of `bytes` bytes in all: the table is rebuilt at once to that size (a
    // bulk load, e.g. from a snapshot, where no report waits) and a new block holds the bytes that the
    // last one has no room for.
    void reserve(std::size_t strings, std::size_t bytes);
    std::size_t memory_bytes() const noexcept;

private:
    static constexpr std::uint64_t offset_mask = 0xFFFFFFFFu;
    // Blocks start at 4 KiB and double up to 1 MiB; a longer string gets a block of its own size.
    static constexpr std::size_t first_block_bytes = 4096;
    static constexpr std::size_t block_bytes_limit = std::size_t{1} << 20;
    // Old slots moved per intern() while a move is under way: the old table has S slots and the new
    // one 2S, which fills to half after S / 2 more strings, so 4 a string ends the move at S / 4.
    static constexpr std::size_t moves_per_intern = 4;

    struct Slot {
        std::uint32_t number_plus_one;  // 0: free (calloc's zero)
        std::uint32_t tag;              // the hash's high 32 bits
    };
    using Slots = ZeroedBuffer<Slot>;  // all free when made
    static std::uint64_t hash(std::string_view s) noexcept;
    std::uint32_t find(std::string_view s, std::uint64_t h) const noexcept;
    // In `table`: the slot holding `s`, or the free slot where it would go.
    std::size_t probe(const Slots& table, std::string_view s, std::uint64_t h) const noexcept;
    // Files string n (not in `table`, hash h) into a free slot of `table`.
    static void file(Slots& table, std::uint32_t n, std::uint64_t h) noexcept;
    // Starts moving the strings into a table of `slots` slots (finishing a move under way first).
    void start_move(std::size_t slots);
    // Moves up to `count` slots of the old table into the new one; the old one goes when all are.
    void move_some(std::size_t count) noexcept;
    // Starts a new last block of at least `at_least` bytes (the rule's size when larger).
    void open_block(std::size_t at_least);
    // Appends the bytes, in the last block or a new one; returns the string's end (block << 32 | offset).
    std::uint64_t store(std::string_view s);

    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t block_size_ = 0;  // the last block's size
    std::size_t block_used_ = 0;  // bytes used in the last block
    std::size_t block_total_ = 0;  // all blocks' sizes
    std::size_t text_bytes_ = 0;
    ChunkedVector<std::uint64_t> ends_;  // ends_[n]: string n's block << 32 | one past its last byte
    Slots slots_;
    Slots old_;              // the table being moved from (size 0 when no move is under way)
    std::size_t moved_ = 0;  // old_ slots [0, moved_) are moved
};

}  // namespace routing_core
