// Inverted index from blocking keys to events, so that a report finds its candidate events without a
// scan of all open events. Two kinds of keys: address keys (road + number, road, compound, community,
// town) and text shingles. Postings are append-only and read newest first, so a bounded read sees the
// most recent events on each key.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "routing_core/text_similarity.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

using BlockingKey = std::uint64_t;

// Address blocking keys of a parsed address (possibly empty when nothing was resolved).
std::vector<BlockingKey> address_keys(const Address& address);

struct LookupLimits {
    std::size_t postings_per_key = 256;  // newest entries read from one posting list
    std::size_t rare_shingles = 8;       // the query's rarest shingles that are looked up
    std::size_t max_candidates = 32;
};

class CandidateIndex {
public:
    void add_address_keys(std::uint32_t event, const std::vector<BlockingKey>& keys);
    void add_shingles(std::uint32_t event, const std::vector<Shingle>& shingles);
    void count_document() noexcept { ++documents_; }

    // Events sharing keys with the query, most shared keys first (ties: newest first).
    std::vector<std::uint32_t> lookup(const std::vector<BlockingKey>& keys, const std::vector<Shingle>& text,
                                      const LookupLimits& limits) const;

    // Inverse document frequency of a shingle over the indexed events, ≥ a positive floor.
    double idf(Shingle shingle) const noexcept;
    std::size_t documents() const noexcept { return documents_; }
    std::size_t memory_bytes() const noexcept;

private:
    friend struct CandidateIndexSnapshot;  // engine_snapshot.cpp: writes and reads the postings verbatim
    static void append(std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>& postings, std::uint64_t key,
                       std::uint32_t event);
    std::unordered_map<BlockingKey, std::vector<std::uint32_t>> address_postings_;
    std::unordered_map<Shingle, std::vector<std::uint32_t>> text_postings_;
    std::size_t documents_ = 0;
};

}  // namespace routing_core
