#include "routing_core/candidate_index.hpp"

#include <algorithm>
#include <cmath>

namespace routing_core {
namespace {

// FNV-1a: stable across platforms and runs, unlike std::hash.
BlockingKey hash_key(char kind, std::string_view value) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    const auto mix = [&](unsigned char c) {
        h ^= c;
        h *= 1099511628211ull;
    };
    mix(static_cast<unsigned char>(kind));
    for (char c : value) mix(static_cast<unsigned char>(c));
    return h;
}

}  // namespace

std::vector<BlockingKey> address_keys(const Address& address) {
    std::vector<BlockingKey> keys;
    if (!address.road.empty()) {
        keys.push_back(hash_key('R', address.road));
        if (!address.number.empty()) keys.push_back(hash_key('N', address.road + "#" + address.number));
    }
    if (!address.compound.empty()) keys.push_back(hash_key('P', address.compound));
    for (Level level : {Level::community, Level::town}) {
        const std::int32_t unit = address.unit_at(level);
        if (unit != no_unit) keys.push_back(hash_key(level == Level::town ? 'T' : 'C', std::to_string(unit)));
    }
    return keys;
}

void CandidateIndex::append(std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>& postings,
                            std::uint64_t key, std::uint32_t event) {
    auto& list = postings[key];
    if (list.empty() || list.back() != event) list.push_back(event);
}

void CandidateIndex::add_address_keys(std::uint32_t event, const std::vector<BlockingKey>& keys) {
    for (BlockingKey key : keys) append(address_postings_, key, event);
}

void CandidateIndex::add_shingles(std::uint32_t event, const std::vector<Shingle>& shingles) {
    for (Shingle s : shingles) append(text_postings_, s, event);
}

std::vector<std::uint32_t> CandidateIndex::lookup(const std::vector<BlockingKey>& keys,
                                                  const std::vector<Shingle>& text,
                                                  const LookupLimits& limits) const {
    std::unordered_map<std::uint32_t, std::uint32_t> hits;
    const auto read = [&](const std::vector<std::uint32_t>& list) {
        const std::size_t n = std::min(list.size(), limits.postings_per_key);
        for (std::size_t k = 0; k < n; ++k) ++hits[list[list.size() - 1 - k]];
    };
    for (BlockingKey key : keys) {
        const auto it = address_postings_.find(key);
        if (it != address_postings_.end()) read(it->second);
    }
    // The rarest shingles of the query discriminate best; common ones (来电, 反映) would flood the set.
    std::vector<std::pair<std::size_t, const std::vector<std::uint32_t>*>> lists;
    for (Shingle s : text) {
        const auto it = text_postings_.find(s);
        if (it != text_postings_.end()) lists.emplace_back(it->second.size(), &it->second);
    }
    const std::size_t take = std::min(lists.size(), limits.rare_shingles);
    std::partial_sort(lists.begin(), lists.begin() + static_cast<std::ptrdiff_t>(take), lists.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < take; ++k) read(*lists[k].second);

    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranked(hits.begin(), hits.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        if (a.second != b.second) return a.second > b.second;
        return a.first > b.first;
    });
    std::vector<std::uint32_t> out;
    for (std::size_t k = 0; k < ranked.size() && k < limits.max_candidates; ++k) out.push_back(ranked[k].first);
    return out;
}

double CandidateIndex::idf(Shingle shingle) const noexcept {
    const auto it = text_postings_.find(shingle);
    const double df = it == text_postings_.end() ? 0.0 : static_cast<double>(it->second.size());
    const double n = static_cast<double>(documents_);
    return std::max(0.1, std::log((n + 1.0) / (df + 1.0)) + 1.0);
}

std::size_t CandidateIndex::memory_bytes() const noexcept {
    std::size_t bytes = 0;
    for (const auto* postings : {&address_postings_, &text_postings_}) {
        bytes += postings->bucket_count() * sizeof(void*);
        for (const auto& [key, list] : *postings) {
            bytes += sizeof(key) + sizeof(list) + 2 * sizeof(void*) + list.capacity() * sizeof(std::uint32_t);
        }
    }
    return bytes;
}

}  // namespace routing_core
