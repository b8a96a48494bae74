#include "routing_core/pattern_matcher.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace routing_core {

std::size_t PatternMatcher::EdgeTable::slot_of(std::uint64_t key, std::size_t mask) noexcept {
    key ^= key >> 33;  // murmur3's 64-bit finaliser: node ids and code points are not random
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key) & mask;
}

std::int64_t PatternMatcher::EdgeTable::find(std::uint64_t key) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
        const Slot& slot = slots_[i];
        if (slot.key == key) return static_cast<std::int64_t>(slot.value);
        if (slot.key == empty) return -1;
    }
}

void PatternMatcher::EdgeTable::insert(std::uint64_t key, std::uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) {  // keep the load at most 1/2
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        size_ = 0;
        for (const Slot& slot : old) {
            if (slot.key != empty) insert(slot.key, slot.value);
        }
    }
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = slot_of(key, mask);
    while (slots_[i].key != empty) i = (i + 1) & mask;
    slots_[i] = Slot{key, value};
    ++size_;
}

std::int64_t PatternMatcher::child(std::uint32_t node, char32_t cp) const {
    if (node == 0 && cp < root_children_.size()) return root_children_[cp];
    return edges_.find(edge_key(node, cp));
}

std::uint32_t PatternMatcher::add(std::u32string_view pattern) {
    if (pattern.empty()) throw std::invalid_argument("PatternMatcher::add: empty pattern");
    root_children_.clear();  // rebuilt by build()
    std::uint32_t node = 0;
    for (char32_t cp : pattern) {
        const std::int64_t next = child(node, cp);
        if (next >= 0) {
            node = static_cast<std::uint32_t>(next);
            continue;
        }
        const auto created = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back(Node{});
        edges_.insert(edge_key(node, cp), created);
        node = created;
    }
    if (nodes_[node].pattern >= 0) return static_cast<std::uint32_t>(nodes_[node].pattern);
    const auto id = static_cast<std::uint32_t>(pattern_lengths_.size());
    nodes_[node].pattern = static_cast<std::int32_t>(id);
    pattern_lengths_.push_back(static_cast<std::uint32_t>(pattern.size()));
    built_ = false;
    return id;
}

void PatternMatcher::build() {
    // Breadth-first over the trie: a node's failure link is found from its parent's.
    std::vector<std::vector<std::pair<char32_t, std::uint32_t>>> children(nodes_.size());
    edges_.for_each([&](std::uint64_t key, std::uint32_t target) {
        children[key >> 21].emplace_back(static_cast<char32_t>(key & 0x1FFFFF), target);
    });
    // The table's order is arbitrary; sort so that the breadth-first order, and with it every
    // failure link, is the same on every platform.
    for (auto& list : children) std::sort(list.begin(), list.end());
    root_children_.assign(0x10000, -1);
    for (const auto& [cp, target] : children[0]) {
        if (cp < root_children_.size()) root_children_[cp] = static_cast<std::int32_t>(target);
    }
    std::deque<std::uint32_t> queue;
    for (const auto& [cp, target] : children[0]) {
        nodes_[target].fail = 0;
        queue.push_back(target);
    }
    while (!queue.empty()) {
        const std::uint32_t node = queue.front();
        queue.pop_front();
        const std::uint32_t fail = nodes_[node].fail;
        nodes_[node].output_link = nodes_[fail].pattern >= 0 ? static_cast<std::int32_t>(fail)
                                                             : nodes_[fail].output_link;
        for (const auto& [cp, target] : children[node]) {
            std::uint32_t f = nodes_[node].fail;
            std::int64_t next = child(f, cp);
            while (next < 0 && f != 0) {
                f = nodes_[f].fail;
                next = child(f, cp);
            }
            nodes_[target].fail = (next >= 0 && static_cast<std::uint32_t>(next) != target)
                                      ? static_cast<std::uint32_t>(next)
                                      : 0;
            queue.push_back(target);
        }
    }
    built_ = true;
}

std::vector<PatternMatch> PatternMatcher::find_all(std::u32string_view text) const {
    if (!built_) throw std::logic_error("PatternMatcher::find_all before build()");
    std::vector<PatternMatch> matches;
    matches.reserve(text.size() / 2 + 4);
    std::uint32_t node = 0;
    for (std::uint32_t pos = 0; pos < text.size(); ++pos) {
        const char32_t cp = text[pos];
        std::int64_t next = child(node, cp);
        while (next < 0 && node != 0) {
            node = nodes_[node].fail;
            next = child(node, cp);
        }
        node = next < 0 ? 0 : static_cast<std::uint32_t>(next);
        std::int32_t out = nodes_[node].pattern >= 0 ? static_cast<std::int32_t>(node) : nodes_[node].output_link;
        while (out >= 0) {
            const auto id = static_cast<std::uint32_t>(nodes_[static_cast<std::size_t>(out)].pattern);
            matches.push_back(PatternMatch{id, pos + 1 - pattern_lengths_[id], pos + 1});
            out = nodes_[static_cast<std::size_t>(out)].output_link;
        }
    }
    return matches;
}

}  // namespace routing_core
