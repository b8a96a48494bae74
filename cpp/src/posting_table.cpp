#include "routing_core/posting_table.hpp"

#include <algorithm>
#include <utility>

#include "routing_core/backward_shift.hpp"
#include "routing_core/half_full_slots.hpp"

namespace routing_core {

PostingTable::List& PostingTable::operator[](std::uint64_t key) {
    if (2 * (keys_.size() + 1) > slots_.size()) rebuild(detail::half_full_slots(keys_.size() + 1));
    const std::size_t mask = slots_.size() - 1;
    std::size_t k = slot_of(key);
    while (slots_[k].list != free_slot) {
        if (slots_[k].key == key) return lists_[slots_[k].list];
        k = (k + 1) & mask;
    }
    slots_[k] = Slot{key, static_cast<std::uint32_t>(keys_.size())};
    keys_.push_back(key);
    lists_.emplace_back();
    return lists_.back();
}

bool PostingTable::insert(std::uint64_t key, List list) {
    if (find(key) != nullptr) return false;
    (*this)[key] = std::move(list);
    return true;
}

void PostingTable::reserve(std::size_t keys) {
    keys_.reserve(keys);
    lists_.reserve(keys);
    if (detail::half_full_slots(keys) > slots_.size()) rebuild(detail::half_full_slots(keys));
}

void PostingTable::rebuild(std::size_t slots) {
    std::vector<Slot>(std::max(slots, detail::half_full_slots(keys_.size()))).swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        std::size_t k = slot_of(keys_[i]);
        while (slots_[k].list != free_slot) k = (k + 1) & mask;
        slots_[k] = Slot{keys_[i], static_cast<std::uint32_t>(i)};
    }
}

std::size_t PostingTable::slot_holding(std::size_t i) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t k = slot_of(keys_[i]);
    while (slots_[k].list != i) k = (k + 1) & mask;
    return k;
}

void PostingTable::erase_at(std::size_t i) {
    detail::backward_shift_erase(
        slots_, slot_holding(i), [](const Slot& s) { return s.list == free_slot; },
        [this](const Slot& s) { return slot_of(s.key); });
    const std::size_t last = keys_.size() - 1;
    if (i != last) {
        slots_[slot_holding(last)].list = static_cast<std::uint32_t>(i);
        keys_[i] = keys_[last];
        lists_[i] = std::move(lists_[last]);
    }
    keys_.pop_back();
    lists_.pop_back();
}

std::size_t PostingTable::memory_bytes() const noexcept {
    std::size_t bytes = slots_.capacity() * sizeof(Slot) + keys_.capacity() * sizeof(std::uint64_t) +
                        lists_.capacity() * sizeof(List);
    for (const List& list : lists_) bytes += list.capacity() * sizeof(std::uint32_t);
    return bytes;
}

}  // namespace routing_core
