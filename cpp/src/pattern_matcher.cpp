#include "routing_core/pattern_matcher.hpp"

#include <deque>
#include <stdexcept>

namespace routing_core {

std::int64_t PatternMatcher::child(std::uint32_t node, char32_t cp) const {
    const auto it = edges_.find(edge_key(node, cp));
    return it == edges_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

std::uint32_t PatternMatcher::add(std::u32string_view pattern) {
    if (pattern.empty()) throw std::invalid_argument("PatternMatcher::add: empty pattern");
    std::uint32_t node = 0;
    for (char32_t cp : pattern) {
        const std::int64_t next = child(node, cp);
        if (next >= 0) {
            node = static_cast<std::uint32_t>(next);
            continue;
        }
        const auto created = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back(Node{});
        edges_.emplace(edge_key(node, cp), created);
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
    for (const auto& [key, target] : edges_) {
        children[key >> 21].emplace_back(static_cast<char32_t>(key & 0x1FFFFF), target);
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
