// Multi-pattern dictionary matching (Aho–Corasick over code points). One pass over a text finds every
// occurrence of every pattern; the gazetteer and the classifier's term dictionaries both use it.
#pragma once

#include <cstdint>
#include <string_view>
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
    // The trie's edges in one open-addressing table (linear probing, power-of-two size): a lookup is
    // one hash and usually one cache line, where a node-based map chases a pointer per lookup. This
    // lookup is most of the cost of matching.
    class EdgeTable {
    public:
        std::int64_t find(std::uint64_t key) const noexcept;
        void insert(std::uint64_t key, std::uint32_t value);  // key must not be present
        template <typename F>
        void for_each(F&& f) const {
            for (const Slot& slot : slots_) {
                if (slot.key != empty) f(slot.key, slot.value);
            }
        }

    private:
        static constexpr std::uint64_t empty = ~std::uint64_t{0};  // no edge key is all ones
        struct Slot {
            std::uint64_t key = empty;
            std::uint32_t value = 0;
        };
        static std::size_t slot_of(std::uint64_t key, std::size_t mask) noexcept;
        std::vector<Slot> slots_ = std::vector<Slot>(16);
        std::size_t size_ = 0;
    };

    std::vector<Node> nodes_{Node{}};
    EdgeTable edges_;
    // The root's children for the Basic Multilingual Plane, indexed by code point (-1: none), set by
    // build(): matching asks the root about nearly every character of the text.
    std::vector<std::int32_t> root_children_;
    std::vector<std::uint32_t> pattern_lengths_;
    bool built_ = true;
};

}  // namespace routing_core
