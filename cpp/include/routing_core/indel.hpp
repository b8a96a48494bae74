// Indel similarity (insertions and deletions only, no substitutions) over code points:
// ratio = 2·LCS(a, b) / (|a| + |b|), the normalised similarity that rapidfuzz.fuzz.ratio reports
// (divided by 100). One report is scored against many open events, so the query's bit masks are
// built once (IndelPattern) and each text then costs O(|text| · ceil(|query| / 64)) word operations
// (Hyyrö's bit-parallel LCS, as in rapidfuzz).
//
// Threading: IndelPattern has no mutable state, so one instance may be shared by threads that call
// lcs()/ratio() concurrently. lcs() does not allocate for queries of up to 256 code points (up to
// 64: one word of state in a register; up to 256: four words on the stack); longer queries allocate
// their state per call.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace routing_core {

namespace detail {

// Maps the query's distinct non-ASCII code points to dense slot numbers (slot 0 means "not in the
// query"). Open addressing with linear probing at a load factor of at most 1/4, so that a lookup,
// hit or miss, nearly always ends at its first probe.
class CodePointSlots {
public:
    struct Entry {
        char32_t key = 0;  // 0 marks an empty entry: U+0000 is ASCII and never stored here
        std::uint32_t slot = 0;
    };
    // The table as the scoring loops read it: a copy they keep in registers, since the table does
    // not change while they run.
    struct View {
        const Entry* entries;
        std::size_t mask;
        unsigned shift;
    };

    // Slot of `cp` (> 0x7F), adding it as `next_slot` when absent.
    std::uint32_t insert(char32_t cp, std::uint32_t next_slot);
    View view() const noexcept { return View{entries_.data(), entries_.size() - 1, shift_}; }

private:
    static constexpr std::size_t kInitialEntries = 16;
    void grow();

    // Never empty, so that a lookup needs no check for it.
    std::vector<Entry> entries_ = std::vector<Entry>(kInitialEntries);
    std::size_t used_ = 0;
    unsigned shift_ = 28;  // 32 - log2(entries_.size()): Fibonacci hashing keeps the high bits
};

}  // namespace detail

// Bit masks of the query's code points, built once and compared against many texts.
class IndelPattern {
public:
    explicit IndelPattern(std::u32string_view query);

    // Length of the longest common subsequence of the query and `text`.
    std::size_t lcs(std::u32string_view text) const;
    // 2·lcs / (|query| + |text|) in [0, 1]; 1.0 when both are empty.
    double ratio(std::u32string_view text) const;
    std::size_t size() const noexcept { return size_; }

private:
    std::size_t lcs_one_word(std::u32string_view text) const noexcept;
    std::size_t lcs_blocks(std::u32string_view text, std::uint64_t* state) const noexcept;

    std::size_t size_ = 0;
    std::size_t words_ = 0;  // 64-bit words per mask: ceil(size_ / 64)
    std::array<std::uint32_t, 128> ascii_slots_{};
    detail::CodePointSlots others_;
    // words_ masks per slot, slot after slot; slot 0 is all zeros. Bit i of a slot's masks is set
    // when query[i] is that slot's code point.
    std::vector<std::uint64_t> masks_;
};

// 2·LCS(a, b) / (|a| + |b|), 1.0 when both are empty; builds the pattern from the shorter string.
double indel_ratio(std::u32string_view a, std::u32string_view b);

}  // namespace routing_core
