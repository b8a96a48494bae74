// Strings numbered in the order they were added, each kept once: the bytes of all of them in one
// buffer, where a node-based map from std::string spends a node, a hash, a pointer and a 32-byte
// string object on each (about 136 bytes for a report id of ten characters, against about 35 here).
// An open-addressing table (linear probing, power-of-two size, at most half full) finds a string's
// number; each slot keeps 32 bits of the string's hash, so that a probe compares bytes only when
// those match. Strings are never removed: numbers stay valid for the table's life.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace routing_core {

class StringTable {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    // The string's number, or `none` when it was never added.
    std::uint32_t find(std::string_view s) const noexcept;
    // Adds the string (when new) and returns its number.
    std::uint32_t intern(std::string_view s);
    // The string numbered `n` (n < size()); valid until the next intern().
    std::string_view operator[](std::uint32_t n) const noexcept {
        const std::uint64_t begin = n == 0 ? 0 : ends_[n - 1];
        return {bytes_.data() + begin, static_cast<std::size_t>(ends_[n] - begin)};
    }
    std::size_t size() const noexcept { return ends_.size(); }
    bool empty() const noexcept { return ends_.empty(); }
    // The bytes of all strings together.
    std::size_t text_bytes() const noexcept { return bytes_.size(); }
    // Room for `strings` strings of `bytes` bytes in all, without regrowing.
    void reserve(std::size_t strings, std::size_t bytes);
    std::size_t memory_bytes() const noexcept;

private:
    struct Slot {
        std::uint32_t number = none;
        std::uint32_t tag = 0;  // the hash's high 32 bits
    };
    static std::uint64_t hash(std::string_view s) noexcept;
    // The slot holding `s`, or the free slot where it would go.
    std::size_t probe(std::string_view s, std::uint64_t h) const noexcept;
    // Re-files every string in a table of `slots` slots (a power of two).
    void rebuild(std::size_t slots);

    std::vector<char> bytes_;
    std::vector<std::uint64_t> ends_;  // ends_[n]: one past the last byte of string n in bytes_
    std::vector<Slot> slots_;
};

}  // namespace routing_core
