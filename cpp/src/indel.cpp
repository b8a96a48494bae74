#include "routing_core/indel.hpp"

#include <algorithm>
#include <utility>

namespace routing_core {

namespace detail {
namespace {

int popcount64(std::uint64_t x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(x);
#else
    // Called once per text, not per character, so the portable form costs nothing that matters.
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
#endif
}

// a + b + carry_in with the carry out, so that one addition can span several 64-bit words.
std::uint64_t add_with_carry(std::uint64_t a, std::uint64_t b, std::uint64_t& carry) noexcept {
    const std::uint64_t partial = a + b;
    const std::uint64_t sum = partial + carry;
    carry = static_cast<std::uint64_t>(partial < a) | static_cast<std::uint64_t>(sum < partial);
    return sum;
}

std::size_t hash_index(char32_t cp, unsigned shift) noexcept {
    // The multiplication wraps modulo 2^32 on purpose: CJK code points are dense in a narrow range,
    // and the golden-ratio multiplier spreads neighbours over the table's high-bit index.
    return static_cast<std::uint32_t>(static_cast<std::uint32_t>(cp) * 0x9E3779B1U) >> shift;
}

// File-local rather than a member of View so that the scoring loops get it inlined.
std::uint32_t find_slot(const CodePointSlots::View& table, char32_t cp) noexcept {
    std::size_t i = hash_index(cp, table.shift);
    // Stop at the entry for `cp` or at an empty one, whose slot 0 is the answer for a miss: the
    // product is zero exactly then (both factors are below 2^32, so it cannot wrap to zero). One
    // test instead of two matters: whether a text character is in the query is unpredictable, and
    // the usual first-probe exit is then one well-predicted branch for hits and misses alike.
    while (static_cast<std::uint64_t>(table.entries[i].key ^ cp) * table.entries[i].key != 0) {
        i = (i + 1) & table.mask;
    }
    return table.entries[i].slot;
}

}  // namespace

void CodePointSlots::grow() {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(2 * old.size(), Entry{});
    --shift_;
    const std::size_t mask = entries_.size() - 1;
    for (const Entry& e : old) {
        if (e.key == 0) continue;
        std::size_t i = hash_index(e.key, shift_);
        while (entries_[i].key != 0) i = (i + 1) & mask;
        entries_[i] = e;
    }
}

std::uint32_t CodePointSlots::insert(char32_t cp, std::uint32_t next_slot) {
    if (4 * (used_ + 1) > entries_.size()) grow();
    const std::size_t mask = entries_.size() - 1;
    for (std::size_t i = hash_index(cp, shift_);; i = (i + 1) & mask) {
        Entry& e = entries_[i];
        if (e.key == cp) return e.slot;
        if (e.key == 0) {
            e = Entry{cp, next_slot};
            ++used_;
            return next_slot;
        }
    }
}

}  // namespace detail

IndelPattern::IndelPattern(std::u32string_view query)
    : size_(query.size()), words_((query.size() + 63) / 64), masks_(words_, 0) {
    std::uint32_t next_slot = 1;
    for (std::size_t i = 0; i < query.size(); ++i) {
        const char32_t cp = query[i];
        std::uint32_t slot = 0;
        if (cp < ascii_slots_.size()) {
            if (ascii_slots_[cp] == 0) ascii_slots_[cp] = next_slot;
            slot = ascii_slots_[cp];
        } else {
            slot = others_.insert(cp, next_slot);
        }
        if (slot == next_slot) {
            ++next_slot;
            masks_.resize(masks_.size() + words_, 0);
        }
        masks_[slot * words_ + i / 64] |= std::uint64_t{1} << (i % 64);
    }
}

// Hyyrö's recurrence: S starts all ones and a zero bit marks a query position that ends a common
// subsequence, so LCS = popcount(~S). Bits above size_ never match (their masks are zero), and
// (S + U) | (S - U) keeps them one even when a carry runs through them (S - U has them set, since
// U ⊆ S means no borrow), so ~S counts query positions only and needs no mask.
std::size_t IndelPattern::lcs_one_word(std::u32string_view text) const noexcept {
    const std::uint64_t* masks = masks_.data();
    const detail::CodePointSlots::View others = others_.view();
    std::uint64_t s = ~std::uint64_t{0};
    for (const char32_t cp : text) {
        // Slot 0's mask is zero, so a character not in the query leaves S unchanged; no branch on it.
        const std::uint32_t slot = cp < 0x80 ? ascii_slots_[cp] : detail::find_slot(others, cp);
        const std::uint64_t u = s & masks[slot];
        s = (s + u) | (s - u);
    }
    return static_cast<std::size_t>(detail::popcount64(~s));
}

// The same recurrence over words_ words, low word first: only the addition crosses words (a carry),
// since S - U borrows nothing.
std::size_t IndelPattern::lcs_blocks(std::u32string_view text, std::uint64_t* state) const noexcept {
    std::fill_n(state, words_, ~std::uint64_t{0});
    const detail::CodePointSlots::View others = others_.view();
    for (const char32_t cp : text) {
        const std::uint32_t slot = cp < 0x80 ? ascii_slots_[cp] : detail::find_slot(others, cp);
        if (slot == 0) continue;  // here a miss would cost a pass over all the words, so it is skipped
        const std::uint64_t* pm = masks_.data() + slot * words_;
        std::uint64_t carry = 0;
        for (std::size_t w = 0; w < words_; ++w) {
            const std::uint64_t s = state[w];
            const std::uint64_t u = s & pm[w];
            state[w] = detail::add_with_carry(s, u, carry) | (s - u);
        }
    }
    std::size_t common = 0;
    for (std::size_t w = 0; w < words_; ++w) {
        common += static_cast<std::size_t>(detail::popcount64(~state[w]));
    }
    return common;
}

std::size_t IndelPattern::lcs(std::u32string_view text) const {
    if (words_ == 0 || text.empty()) return 0;
    if (words_ == 1) return lcs_one_word(text);
    // Queries of up to 256 code points (nearly every report) keep their state on the stack.
    if (words_ <= 4) {
        std::array<std::uint64_t, 4> state{};
        return lcs_blocks(text, state.data());
    }
    std::vector<std::uint64_t> state(words_);
    return lcs_blocks(text, state.data());
}

double IndelPattern::ratio(std::u32string_view text) const {
    const std::size_t total = size_ + text.size();
    if (total == 0) return 1.0;
    return 2.0 * static_cast<double>(lcs(text)) / static_cast<double>(total);
}

double indel_ratio(std::u32string_view a, std::u32string_view b) {
    // LCS is symmetric and its cost grows with the pattern's word count, so the shorter one is the pattern.
    return a.size() <= b.size() ? IndelPattern(a).ratio(b) : IndelPattern(b).ratio(a);
}

}  // namespace routing_core
