#include "routing_core/string_table.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "routing_core/half_full_slots.hpp"

namespace routing_core {

std::uint64_t StringTable::hash(std::string_view s) noexcept {
    return static_cast<std::uint64_t>(std::hash<std::string_view>{}(s));
}

std::size_t StringTable::probe(const Slots& table, std::string_view s, std::uint64_t h) const noexcept {
    const std::size_t mask = table.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t k = static_cast<std::size_t>(h) & mask;; k = (k + 1) & mask) {
        const Slot& slot = table[k];
        if (slot.number_plus_one == 0) return k;
        if (slot.tag == tag && (*this)[slot.number_plus_one - 1] == s) return k;
    }
}

void StringTable::file(Slots& table, std::uint32_t n, std::uint64_t h) noexcept {
    const std::size_t mask = table.size() - 1;
    std::size_t k = static_cast<std::size_t>(h) & mask;
    while (table[k].number_plus_one != 0) k = (k + 1) & mask;
    table[k] = Slot{n + 1, static_cast<std::uint32_t>(h >> 32)};
}

std::uint32_t StringTable::find(std::string_view s) const noexcept { return find(s, hash(s)); }

std::uint32_t StringTable::find(std::string_view s, std::uint64_t h) const noexcept {
    if (slots_.size() == 0) return none;
    const Slot& slot = slots_[probe(slots_, s, h)];
    if (slot.number_plus_one != 0) return slot.number_plus_one - 1;
    if (old_.size() == 0) return none;
    return old_[probe(old_, s, h)].number_plus_one - 1;  // (0 - 1: none)
}

std::uint32_t StringTable::intern(std::string_view s) {
    const std::uint64_t h = hash(s);
    if (const std::uint32_t known = find(s, h); known != none) return known;
    if (ends_.size() >= none - 1) throw std::length_error("StringTable: more than 2^32 - 2 strings");
    if (s.size() > offset_mask) throw std::length_error("StringTable: a string of 4 GiB or more");
    if (2 * (ends_.size() + 1) > slots_.size()) start_move(detail::half_full_slots(ends_.size() + 1));
    const auto n = static_cast<std::uint32_t>(ends_.size());
    ends_.push_back(store(s));
    file(slots_, n, h);
    if (old_.size() != 0) move_some(moves_per_intern);
    return n;
}

void StringTable::open_block(std::size_t at_least) {
    const std::size_t size = blocks_.empty() ? first_block_bytes : std::min(2 * block_size_, block_bytes_limit);
    blocks_.push_back(std::unique_ptr<char[]>(new char[std::max(size, at_least)]));  // written before read
    block_size_ = std::max(size, at_least);
    block_used_ = 0;
    block_total_ += block_size_;
}

std::uint64_t StringTable::store(std::string_view s) {
    if (blocks_.empty() || block_size_ - block_used_ < s.size()) open_block(s.size());
    if (!s.empty()) std::memcpy(blocks_.back().get() + block_used_, s.data(), s.size());
    block_used_ += s.size();
    text_bytes_ += s.size();
    return static_cast<std::uint64_t>(blocks_.size() - 1) << 32 | block_used_;
}

void StringTable::start_move(std::size_t slots) {
    move_some(old_.size());  // a move under way ends first (none is, at moves_per_intern)
    old_ = std::move(slots_);
    moved_ = 0;
    slots_ = Slots(slots);
}

void StringTable::move_some(std::size_t count) noexcept {
    const std::size_t end = std::min(old_.size(), moved_ + count);
    for (; moved_ < end; ++moved_) {
        const Slot& slot = old_[moved_];
        if (slot.number_plus_one == 0) continue;
        const std::uint32_t n = slot.number_plus_one - 1;
        file(slots_, n, hash((*this)[n]));
    }
    if (moved_ == old_.size()) {
        old_ = Slots();
        moved_ = 0;
    }
}

void StringTable::reserve(std::size_t strings, std::size_t bytes) {
    if (bytes > text_bytes_ && (blocks_.empty() || block_size_ - block_used_ < bytes - text_bytes_)) {
        open_block(std::min<std::size_t>(bytes - text_bytes_, offset_mask));  // offsets are 32-bit
    }
    const std::size_t slots = detail::half_full_slots(std::max(strings, ends_.size()));
    if (slots <= slots_.size()) return;
    // Bulk: every string is filed at once into the new table.
    move_some(old_.size());
    slots_ = Slots(slots);
    for (std::uint32_t n = 0; n < ends_.size(); ++n) file(slots_, n, hash((*this)[n]));
}

std::size_t StringTable::memory_bytes() const noexcept {
    return block_total_ + blocks_.capacity() * sizeof(blocks_[0]) + ends_.memory_bytes() +
           (slots_.size() + old_.size()) * sizeof(Slot);
}

}  // namespace routing_core
