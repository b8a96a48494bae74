#include "routing_core/candidate_index.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

#include "routing_core/backward_shift.hpp"
#include "routing_core/geo.hpp"

namespace routing_core {
namespace {

// FNV-1a: stable across platforms and runs, unlike std::hash.
constexpr std::uint64_t fnv_offset = 14695981039346656037ull;

std::uint64_t fnv_mix(std::uint64_t h, unsigned char byte) noexcept { return (h ^ byte) * 1099511628211ull; }

// The key of the kind and the parts written one after another (no string is built to hold them).
BlockingKey hash_key(char kind, std::initializer_list<std::string_view> parts) noexcept {
    std::uint64_t h = fnv_mix(fnv_offset, static_cast<unsigned char>(kind));
    for (const std::string_view part : parts) {
        for (char c : part) h = fnv_mix(h, static_cast<unsigned char>(c));
    }
    return h;
}

// A geo cell's key: the kind 'G', its row and its column, each as eight bytes (little end first),
// without formatting them as text.
BlockingKey geo_key(std::int64_t row, std::int64_t column) noexcept {
    std::uint64_t h = fnv_offset;
    const std::uint64_t parts[] = {'G', static_cast<std::uint64_t>(row), static_cast<std::uint64_t>(column)};
    for (const std::uint64_t v : parts) {
        for (int i = 0; i < 8; ++i) h = fnv_mix(h, static_cast<unsigned char>(v >> (8 * i)));
    }
    return h;
}

}  // namespace

std::vector<BlockingKey> address_keys(const Address& address, KeyUse use) {
    std::vector<BlockingKey> keys;
    keys.reserve(5 + 9);  // road, number, compound, two units; nine geo cells for a query
    if (!address.road.empty()) {
        keys.push_back(hash_key('R', {address.road}));
        if (!address.number.empty()) keys.push_back(hash_key('N', {address.road, "#", address.number}));
    }
    if (!address.compound.empty()) keys.push_back(hash_key('P', {address.compound}));
    for (Level level : {Level::community, Level::town}) {
        const std::int32_t unit = address.unit_at(level);
        if (unit == no_unit) continue;
        keys.push_back(hash_key(level == Level::town ? 'T' : 'C', {std::to_string(unit)}));
    }
    if (address.lat && address.lon) {
        const GeoCell cell = geo_cell(*address.lat, *address.lon, geo_cell_side_m);
        const std::int64_t reach = use == KeyUse::query ? 1 : 0;
        for (std::int64_t row = cell.row - reach; row <= cell.row + reach; ++row) {
            // Each row has its own column width: the neighbours' columns are found at the report's longitude.
            const std::int64_t column = geo_column(row, *address.lon, geo_cell_side_m);
            for (std::int64_t c = column - reach; c <= column + reach; ++c) {
                keys.push_back(geo_key(row, c));
            }
        }
    }
    return keys;
}

bool CandidateIndex::append(PostingTable& postings, std::uint64_t key, std::uint32_t event) {
    auto& list = postings[key];
    if (!list.empty() && list.back() == event) return false;
    list.push_back(event);
    return true;
}

void CandidateIndex::add_address_keys(std::uint32_t event, const std::vector<BlockingKey>& keys) {
    for (BlockingKey key : keys) {
        if (append(address_postings_, key, event)) ++address_entries_;
    }
}

void CandidateIndex::add_shingles(std::uint32_t event, const std::vector<Shingle>& shingles) {
    // Each shingle costs cache misses one after another (its slot, its list, the list's end, and its
    // count), and the shingles are independent: as in lookup(), each step is started for all of them
    // before the next, so that the misses overlap. (Only prefetches: the appends below are unchanged.)
    for (Shingle s : shingles) {
        text_postings_.prefetch(s);
        text_counts_.prefetch(s);
    }
    auto& lists = adding_;
    lists.clear();
    for (Shingle s : shingles) {
        const PostingTable::List* list = text_postings_.find(s);
        if (list != nullptr) __builtin_prefetch(list);
        lists.push_back(list);
    }
    for (const PostingTable::List* list : lists) {
        if (list != nullptr && !list->empty()) __builtin_prefetch(list->data() + (list->size() - 1));
    }
    for (Shingle s : shingles) {
        if (!append(text_postings_, s, event)) continue;
        text_counts_.increment(s);
        ++text_entries_;
    }
}

double CandidateIndex::list_weight(std::size_t list_size) const noexcept {
    const double n = static_cast<double>(documents_);
    return std::max(0.1, std::log((n + 1.0) / (static_cast<double>(list_size) + 1.0)) + 1.0);
}

std::vector<std::uint32_t> CandidateIndex::lookup(const std::vector<BlockingKey>& keys,
                                                  const std::vector<Shingle>& text,
                                                  const LookupLimits& limits) const {
    LookupScratch scratch;
    return lookup(keys, text, limits, scratch);
}

std::vector<std::uint32_t> CandidateIndex::lookup(const std::vector<BlockingKey>& keys,
                                                  const std::vector<Shingle>& text, const LookupLimits& limits,
                                                  LookupScratch& scratch,
                                                  const ChunkedVector<std::int64_t>* expires,
                                                  std::int64_t time,
                                                  const ChunkedVector<std::uint8_t>* closed) const {
    auto& weight = scratch.weight;
    auto& touched = scratch.touched;
    auto& read_lists = scratch.lists;
    read_lists.clear();
    touched.clear();
    const auto read = [&](const std::vector<std::uint32_t>& list) {
        const float w = static_cast<float>(list_weight(list.size()));
        const std::size_t n = std::min(list.size(), limits.postings_per_key);
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint32_t e = list[list.size() - 1 - k];
            if (expires != nullptr && (e >= expires->size() || (*expires)[e] < time)) continue;
            if (e >= weight.size()) {
                ZeroedBuffer<float> bigger(std::max<std::size_t>(std::size_t{e} + 1, 2 * weight.size()));
                for (std::uint32_t t : touched) bigger[t] = weight[t];
                weight = std::move(bigger);
            }
            if (weight[e] == 0.0f) touched.push_back(e);
            weight[e] += w;
        }
    };
    // Each key costs cache misses one after another (its slot, its list, the list's newest postings),
    // and the keys are independent: each step is started for every key before the next is taken, so
    // that the misses overlap. (The lists are read in the same order either way.)
    for (BlockingKey key : keys) address_postings_.prefetch(key);
    for (Shingle s : text) text_counts_.prefetch(s);
    for (BlockingKey key : keys) {
        if (const PostingTable::List* list = address_postings_.find(key)) read_lists.push_back(list);
    }
    // The rarest shingles of the query discriminate best; common ones (来电, 反映) would flood the set.
    // Ranked by the flat table of list sizes (text_counts_), so that only the lists read are looked up;
    // equally rare ones by shingle, so that which are read does not depend on the standard library.
    auto& lists = scratch.sized;
    lists.clear();
    for (Shingle s : text) {
        const std::uint32_t size = text_counts_.get(s);
        if (size > 0) lists.emplace_back(size, s);
    }
    const std::size_t take = std::min(lists.size(), limits.rare_shingles);
    // (size, shingle) is a total order: selecting, then sorting the kept, is partial_sort's result in
    // linear rather than n log k time.
    const auto kept = lists.begin() + static_cast<std::ptrdiff_t>(take);
    if (kept != lists.end()) std::nth_element(lists.begin(), kept, lists.end());
    std::sort(lists.begin(), kept);
    for (std::size_t k = 0; k < take; ++k) text_postings_.prefetch(lists[k].second);
    for (const PostingTable::List* list : read_lists) __builtin_prefetch(list);
    for (std::size_t k = 0; k < take; ++k) {
        const PostingTable::List* list = text_postings_.find(lists[k].second);
        __builtin_prefetch(list);
        read_lists.push_back(list);
    }
    for (const PostingTable::List* list : read_lists) {
        const std::size_t n = std::min(list->size(), limits.postings_per_key);
        if (n == 0) continue;
        __builtin_prefetch(list->data() + (list->size() - 1));
        __builtin_prefetch(list->data() + (list->size() - n));
    }
    for (const PostingTable::List* list : read_lists) read(*list);

    const auto better = [&](std::uint32_t a, std::uint32_t b) {
        if (weight[a] != weight[b]) return weight[a] > weight[b];
        return a > b;
    };
    // The best `limit` of [first, last), in rank order, appended to `out`.
    const auto best = [&](auto first, auto last, std::size_t limit, std::vector<std::uint32_t>& into) {
        const auto keep = static_cast<std::ptrdiff_t>(std::min(static_cast<std::size_t>(last - first), limit));
        // `better` is a total order (ties by event): selecting, then sorting the kept, is partial_sort's
        // result in linear rather than n log k time.
        if (first + keep != last) std::nth_element(first, first + keep, last, better);
        std::sort(first, first + keep, better);
        into.insert(into.end(), first, first + keep);
    };
    std::vector<std::uint32_t> out;
    out.reserve(limits.max_candidates + (closed == nullptr ? 0 : limits.max_closed));
    if (closed == nullptr) {
        best(touched.begin(), touched.end(), limits.max_candidates, out);
    } else {
        const auto is_open = [&](std::uint32_t e) { return e >= closed->size() || (*closed)[e] == 0; };
        const auto split = std::partition(touched.begin(), touched.end(), is_open);
        best(touched.begin(), split, limits.max_candidates, out);
        const auto open_kept = static_cast<std::ptrdiff_t>(out.size());
        best(split, touched.end(), limits.max_closed, out);
        // inplace_merge's order (`better` is total, so there are no ties), without its buffer.
        auto& merged = scratch.merged;
        merged.clear();
        std::merge(out.begin(), out.begin() + open_kept, out.begin() + open_kept, out.end(),
                   std::back_inserter(merged), better);
        out.assign(merged.begin(), merged.end());
    }
    for (std::uint32_t e : touched) weight[e] = 0.0f;
    return out;
}

std::size_t CandidateIndex::postings(Shingle shingle) const noexcept { return text_counts_.get(shingle); }

std::size_t ShingleCounts::slot_of(Shingle shingle) const noexcept {
    return fibonacci_slot(shingle, slots_.size() - 1);
}

std::uint32_t ShingleCounts::get(Shingle shingle) const noexcept {
    if (shingle == 0) return zero_;
    if (slots_.empty()) return 0;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t k = slot_of(shingle);; k = (k + 1) & mask) {
        if (slots_[k].key == shingle) return slots_[k].count;
        if (slots_[k].key == 0) return 0;
    }
}

void ShingleCounts::increment(Shingle shingle, std::uint32_t by) {
    if (shingle == 0) {
        zero_ += by;
        return;
    }
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t k = slot_of(shingle);
    while (slots_[k].key != 0 && slots_[k].key != shingle) k = (k + 1) & mask;
    if (slots_[k].key == 0) {
        slots_[k].key = shingle;
        ++used_;
    }
    slots_[k].count += by;
}

void ShingleCounts::decrement(Shingle shingle, std::uint32_t by) {
    if (shingle == 0) {
        zero_ -= std::min(zero_, by);
        return;
    }
    if (slots_.empty()) return;
    const std::size_t mask = slots_.size() - 1;
    std::size_t k = slot_of(shingle);
    while (slots_[k].key != shingle) {
        if (slots_[k].key == 0) return;  // not counted
        k = (k + 1) & mask;
    }
    if (slots_[k].count > by) {
        slots_[k].count -= by;
        return;
    }
    detail::backward_shift_erase(
        slots_, k, [](const Slot& s) { return s.key == 0; }, [this](const Slot& s) { return slot_of(s.key); });
    --used_;
}

void ShingleCounts::grow() {
    std::vector<Slot> old(std::max<std::size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
        if (slot.key == 0) continue;
        std::size_t k = slot_of(slot.key);
        while (slots_[k].key != 0) k = (k + 1) & mask;
        slots_[k] = slot;
    }
}

double CandidateIndex::idf(Shingle shingle) const noexcept {
    const double df = static_cast<double>(postings(shingle));
    const double n = static_cast<double>(documents_);
    return std::max(0.1, std::log((n + 1.0) / (df + 1.0)) + 1.0);
}

void IdfMemo::reset(const CandidateIndex& index) {
    index_ = &index;
    if (slots_.empty()) {
        slots_.resize(1024);
        mask_ = slots_.size() - 1;
    }
    used_ = 0;
    if (++generation_ == 0) {  // wrapped: old generations would look current
        for (Slot& slot : slots_) slot.generation = 0;
        generation_ = 1;
    }
}

const double* IdfMemo::weigh(ShingleSpan shingles) {
    while ((used_ + shingles.size()) * 2 > slots_.size()) grow();  // no growth below: cold_ stays valid
    weights_.resize(shingles.size());
    cold_.clear();
    for (std::size_t i = 0; i < shingles.size(); ++i) {
        const Shingle shingle = shingles[i];
        std::size_t k = slot_of(shingle);
        while (slots_[k].generation == generation_ && slots_[k].key != shingle) k = (k + 1) & mask_;
        if (slots_[k].generation == generation_) {
            weights_[i] = slots_[k].value;
            continue;
        }
        slots_[k].key = shingle;
        slots_[k].generation = generation_;
        ++used_;
        cold_.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(k));
        index_->prefetch_idf(shingle);
    }
    for (const auto& [i, k] : cold_) weights_[i] = slots_[k].value = index_->idf(slots_[k].key);
    return weights_.data();
}

void IdfMemo::grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
        if (slot.generation != generation_) continue;
        std::size_t k = slot_of(slot.key);
        while (slots_[k].generation == generation_) k = (k + 1) & mask_;
        slots_[k] = slot;
    }
}

std::size_t CandidateIndex::memory_bytes() const noexcept {
    return text_counts_.memory_bytes() + address_postings_.memory_bytes() + text_postings_.memory_bytes();
}

}  // namespace routing_core
