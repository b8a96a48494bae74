// The home slot of a key in a power-of-two open-addressing table (the posting tables, the shingle
// counts, the IDF memo, a report's shingles): Fibonacci hashing, which spreads the structured bits of
// a shingle (two code points side by side) over the slots; hashed keys lose nothing by it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace routing_core {

// `mask` is the table's size minus one.
inline std::size_t fibonacci_slot(std::uint64_t key, std::size_t mask) noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

}  // namespace routing_core
