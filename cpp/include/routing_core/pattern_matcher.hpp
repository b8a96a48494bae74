// Multi-pattern dictionary matching (Aho–Corasick over code points). One pass over a text finds every
// occurrence of every pattern; the gazetteer and the classifier's term dictionaries both use it.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace routing_core {

struct PatternMatch {
    std::uint32_t pattern;  // id returned by add()
    std::uint32_t begin;    // code point offsets in the searched text, [begin, end)
    std::uint32_t end;
};

class PatternMatcher {
public:
    // Adds a pattern and returns its id (ids are dense, starting at 0). Adding the same pattern twice
    // returns the first id. Patterns must be non-empty. Invalidates a previous build().
    std::uint32_t add(std::u32string_view pattern);

    // Computes failure links; must be called after the last add() and before find().
    void build();

    // Every occurrence of every pattern in `text`, ordered by end offset, then by length descending.
    std::vector<PatternMatch> find_all(std::u32string_view text) const;

    std::size_t size() const noexcept { return pattern_lengths_.size(); }
    std::uint32_t pattern_length(std::uint32_t id) const { return pattern_lengths_.at(id); }

private:
    static std::uint64_t edge_key(std::uint32_t node, char32_t cp) noexcept {
        return static_cast<std::uint64_t>(node) << 21 | static_cast<std::uint64_t>(cp);
    }
    std::int64_t child(std::uint32_t node, char32_t cp) const;

    struct Node {
        std::int32_t pattern = -1;       // pattern ending exactly here
        std::uint32_t fail = 0;          // longest proper suffix that is a trie node
        std::int32_t output_link = -1;   // nearest node on the fail chain that ends a pattern
    };
    std::vector<Node> nodes_{Node{}};
    std::unordered_map<std::uint64_t, std::uint32_t> edges_;
    std::vector<std::uint32_t> pattern_lengths_;
    bool built_ = true;
};

}  // namespace routing_core
