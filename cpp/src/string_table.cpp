#include "routing_core/string_table.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "routing_core/half_full_slots.hpp"

namespace routing_core {

std::uint64_t StringTable::hash(std::string_view s) noexcept {
    return static_cast<std::uint64_t>(std::hash<std::string_view>{}(s));
}

std::size_t StringTable::probe(std::string_view s, std::uint64_t h) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t k = static_cast<std::size_t>(h) & mask;; k = (k + 1) & mask) {
        const Slot& slot = slots_[k];
        if (slot.number == none || (slot.tag == tag && (*this)[slot.number] == s)) return k;
    }
}

std::uint32_t StringTable::find(std::string_view s) const noexcept {
    if (slots_.empty()) return none;
    return slots_[probe(s, hash(s))].number;
}

std::uint32_t StringTable::intern(std::string_view s) {
    if (ends_.size() >= none) throw std::length_error("StringTable: more than 2^32 - 1 strings");
    if (2 * (ends_.size() + 1) > slots_.size()) rebuild(detail::half_full_slots(ends_.size() + 1));
    const std::uint64_t h = hash(s);
    Slot& slot = slots_[probe(s, h)];
    if (slot.number != none) return slot.number;
    slot = Slot{static_cast<std::uint32_t>(ends_.size()), static_cast<std::uint32_t>(h >> 32)};
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    ends_.push_back(bytes_.size());
    return slot.number;
}

void StringTable::reserve(std::size_t strings, std::size_t bytes) {
    bytes_.reserve(bytes);
    ends_.reserve(strings);
    if (detail::half_full_slots(strings) > slots_.size()) rebuild(detail::half_full_slots(strings));
}

void StringTable::rebuild(std::size_t slots) {
    std::vector<Slot>(std::max(slots, detail::half_full_slots(ends_.size()))).swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint32_t n = 0; n < ends_.size(); ++n) {
        const std::uint64_t h = hash((*this)[n]);
        std::size_t k = static_cast<std::size_t>(h) & mask;
        while (slots_[k].number != none) k = (k + 1) & mask;
        slots_[k] = Slot{n, static_cast<std::uint32_t>(h >> 32)};
    }
}

std::size_t StringTable::memory_bytes() const noexcept {
    return bytes_.capacity() + ends_.capacity() * sizeof(std::uint64_t) + slots_.capacity() * sizeof(Slot);
}

}  // namespace routing_core
