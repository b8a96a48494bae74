// Inverted index from blocking keys to events, so that a report finds its candidate events without a
// scan of all open events. Two kinds of keys: address keys (road + number, road, compound, community,
// town, geo cell) and text shingles. Postings are append-only and read newest first, so a bounded read
// sees the most recent events on each key.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "routing_core/chunked_vector.hpp"
#include "routing_core/fibonacci_slot.hpp"
#include "routing_core/posting_table.hpp"
#include "routing_core/text_similarity.hpp"
#include "routing_core/types.hpp"
#include "routing_core/zeroed_buffer.hpp"

namespace routing_core {

using BlockingKey = std::uint64_t;

// The side of the geo cells (metres). A query reads its own cell and the eight around it, so every
// event within one side of the report is found whatever the cells' boundaries; same-incident GPS fixes
// lie within a few errors (10-30 m) of each other, next door is tens of metres away.
constexpr double geo_cell_side_m = 150.0;

enum class KeyUse {
    index,  // the keys an event is filed under (one geo cell)
    query,  // the keys a report looks up (the geo cell and its eight neighbours)
};

// Address blocking keys of a parsed address (possibly empty when nothing was resolved): road + number,
// road, compound, community, town and, when the address has a GPS position, geo cells.
std::vector<BlockingKey> address_keys(const Address& address, KeyUse use);

// The most any one limit below may be (MatchParams::validate): room for it is reserved per lookup.
constexpr std::size_t max_lookup_limit = 65536;

struct LookupLimits {
    std::size_t postings_per_key = 256;  // newest entries read from one posting list
    std::size_t rare_shingles = 8;       // the query's rarest shingles that are looked up
    std::size_t max_candidates = 32;
    // With closed flags (see lookup): closed events (recurrence candidates) are ranked on their own and
    // at most this many join the max_candidates open ones, so that the closed events of a whole
    // recurrence period cannot crowd the open ones out.
    std::size_t max_closed = 0;
    // Of those, how many are scored on every feature: the best by the cheap features (address,
    // category, time) first. 0: all of them.
    std::size_t max_scored = 0;
};

// Counts by shingle in one open-addressing table (linear probing, power-of-two size, at most half
// full): the document frequencies that IDF reads for every shingle of every candidate, one probe each
// instead of a node-based hash map's chain of pointers.
class ShingleCounts {
public:
    std::uint32_t get(Shingle shingle) const noexcept;
    // Starts loading the shingle's slot into the cache, for a get() soon after.
    void prefetch(Shingle shingle) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(&slots_[slot_of(shingle)]);
    }
    void increment(Shingle shingle, std::uint32_t by = 1);
    // Takes `by` (at most its count) off a shingle's count; a shingle whose count reaches 0 goes.
    void decrement(Shingle shingle, std::uint32_t by);
    std::size_t memory_bytes() const noexcept { return slots_.capacity() * sizeof(Slot); }

private:
    struct Slot {
        Shingle key = 0;  // 0: empty (shingle 0, U+0000 alone, is counted in zero_)
        std::uint32_t count = 0;
    };
    std::size_t slot_of(Shingle shingle) const noexcept;
    void grow();
    std::vector<Slot> slots_;
    std::size_t used_ = 0;
    std::uint32_t zero_ = 0;
};

// Reusable buffers of CandidateIndex::lookup (one per thread of lookups), sized to the events.
struct LookupScratch {
    // By event: the weight of the keys it shares with the query; all zero between lookups. Indexed
    // directly, not in chunks (two of its reads per posting read); it grows into a fresh zeroed buffer,
    // so a doubling copies only the weights of a lookup under way.
    ZeroedBuffer<float> weight;
    std::vector<std::uint32_t> touched;   // events with a non-zero weight
    std::vector<const PostingTable::List*> lists;  // the posting lists to read, in order
    std::vector<std::pair<std::uint32_t, Shingle>> sized;  // (postings, shingle) of the query's shingles
    std::vector<std::uint32_t> merged;    // the open and closed candidates merged in rank order
};

class CandidateIndex {
public:
    void add_address_keys(std::uint32_t event, const std::vector<BlockingKey>& keys);
    void add_shingles(std::uint32_t event, const std::vector<Shingle>& shingles);
    void count_document() noexcept { ++documents_; }

    // Events sharing keys with the query, ranked by the summed IDF of the keys they share (a shared
    // road and number or a rare shingle says far more than a shared town), ties newest first; at most
    // limits.max_candidates. With `expires` (by event: the last time it may still be a candidate),
    // events expired at `time` are skipped before ranking, so they never take a candidate's place.
    // With `closed` (by event: 1 when closed), open events fill max_candidates and closed ones
    // max_closed, each ranked on its own; the result stays in rank order.
    std::vector<std::uint32_t> lookup(const std::vector<BlockingKey>& keys, const std::vector<Shingle>& text,
                                      const LookupLimits& limits, LookupScratch& scratch,
                                      const ChunkedVector<std::int64_t>* expires = nullptr,
                                      std::int64_t time = 0,
                                      const ChunkedVector<std::uint8_t>* closed = nullptr) const;
    std::vector<std::uint32_t> lookup(const std::vector<BlockingKey>& keys, const std::vector<Shingle>& text,
                                      const LookupLimits& limits) const;

    // The two tables of posting lists, for the purge's sweep: how many lists each has, and how many
    // postings in all.
    enum class Postings { address, text };
    std::size_t lists(Postings kind) const noexcept {
        return kind == Postings::address ? address_postings_.size() : text_postings_.size();
    }
    std::size_t entries(Postings kind) const noexcept {
        return kind == Postings::address ? address_entries_ : text_entries_;
    }
    // The size of the list at `position` (< lists(kind)).
    std::size_t list_size(Postings kind, std::size_t position) const noexcept {
        return (kind == Postings::address ? address_postings_ : text_postings_).list_at(position).size();
    }
    // Where the purge's sweep of one table stands.
    struct SweepPosition {
        std::size_t list = 0;    // the next list's position in the table
        std::size_t offset = 0;  // how far into that list (a long list is swept in pieces)
        std::size_t end = 0;     // the position the sweep stops at
    };
    // What starting a list costs the sweep, in postings. A long list's postings name events in order,
    // and testing one takes ~7 ns; a short list is a heap buffer of its own whose few postings name
    // events anywhere, ~250 ns a list (stop 24, benchmarks/RESULTS.md). Counted as one posting, a
    // slice over thousands of short lists took ten times a slice over long ones.
    static constexpr std::size_t list_cost = 32;
    // One slice of the purge: drops the postings of the events for which `dead(event)` is true (events
    // that can never be candidates again) from the lists of one table from `at` on, up to `at.end`,
    // until `budget` is spent (a posting costs 1, starting a list list_cost more), and moves `at` past
    // them. A list left empty goes with its key; the table's last list takes its place and is swept
    // next, and `at.end` stays within the table. Document frequencies shrink with the lists, so that
    // IDF keeps describing the events that can still match. Returns the cost spent (at most budget +
    // list_cost).
    template <typename Dead>
    std::size_t sweep(Postings kind, SweepPosition& at, std::size_t budget, const Dead& dead);

    // Inverse document frequency of a shingle over the indexed events, ≥ a positive floor.
    double idf(Shingle shingle) const noexcept;
    // Starts loading what idf(shingle) reads, for a call soon after.
    void prefetch_idf(Shingle shingle) const noexcept { text_counts_.prefetch(shingle); }
    // How many postings a shingle has (its document frequency as idf counts it).
    std::size_t postings(Shingle shingle) const noexcept;
    std::size_t documents() const noexcept { return documents_; }
    std::size_t memory_bytes() const noexcept;

private:
    friend struct CandidateIndexSnapshot;  // engine_snapshot.cpp: writes and reads the postings verbatim
    // Adds the event to the key's list unless it is the list's last already; whether it added.
    static bool append(PostingTable& postings, std::uint64_t key, std::uint32_t event);
    double list_weight(std::size_t list_size) const noexcept;
    PostingTable address_postings_;
    PostingTable text_postings_;
    ShingleCounts text_counts_;  // text_postings_[s].size() by shingle, for idf
    std::size_t address_entries_ = 0;  // postings in address_postings_
    std::size_t text_entries_ = 0;     // postings in text_postings_
    std::size_t documents_ = 0;
    std::vector<const PostingTable::List*> adding_;  // add_shingles' scratch: the lists it appends to
};

template <typename Dead>
std::size_t CandidateIndex::sweep(Postings kind, SweepPosition& at, std::size_t budget, const Dead& dead) {
    const bool text = kind == Postings::text;
    PostingTable& postings = text ? text_postings_ : address_postings_;
    std::size_t& entries = text ? text_entries_ : address_entries_;
    std::size_t spent = 0;
    while (spent < budget && at.list < at.end) {
        PostingTable::List& list = postings.list_at(at.list);
        if (at.offset == 0) spent += list_cost;
        // A piece of the list, compacted in place: the list stays whole for lookups between slices.
        const std::size_t from = std::min(at.offset, list.size());
        const std::size_t room = std::max<std::size_t>(1, budget - std::min(budget, spent));
        const std::size_t to = from + std::min(list.size() - from, room);
        spent += to - from;
        const auto kept = std::remove_if(list.begin() + static_cast<std::ptrdiff_t>(from),
                                         list.begin() + static_cast<std::ptrdiff_t>(to), dead);
        const std::size_t dropped = static_cast<std::size_t>(list.begin() + static_cast<std::ptrdiff_t>(to) - kept);
        list.erase(kept, list.begin() + static_cast<std::ptrdiff_t>(to));
        entries -= dropped;
        if (text && dropped > 0) {
            text_counts_.decrement(postings.key_at(at.list), static_cast<std::uint32_t>(dropped));
        }
        at.offset = to - dropped;
        if (at.offset < list.size()) continue;  // more of this list, if the budget allows
        at.offset = 0;
        if (list.empty()) {
            postings.erase_at(at.list);  // the last list is at `at.list` now
            at.end = std::min(at.end, postings.size());
            continue;
        }
        if (list.capacity() > 2 * list.size() + 4) list.shrink_to_fit();
        ++at.list;
    }
    return spent;
}

// A memo of IDF weights for scoring one report against its candidates, which asks for the same
// shingles many times over: each is read from the index once per report. Open addressing on a
// power-of-two table; reset() forgets everything in O(1) by bumping a generation.
class IdfMemo {
public:
    // Forgets all weights; the next ones are read from `index`, which must outlive the use.
    void reset(const CandidateIndex& index);
    // The weights of the shingle set `shingles` (sorted, no repeats), in its order; valid until the next
    // call. A merge then reads a candidate's weights by position, and those not memoised yet are read
    // from the index together: all their counts are requested before the first is used, so that the
    // cache misses overlap.
    const double* weigh(ShingleSpan shingles);

private:
    struct Slot {
        Shingle key = 0;
        double value = 0.0;
        std::uint32_t generation = 0;
    };
    std::size_t slot_of(Shingle shingle) const noexcept { return fibonacci_slot(shingle, mask_); }
    void grow();
    const CandidateIndex* index_ = nullptr;
    std::vector<Slot> slots_;
    std::vector<double> weights_;  // weigh()'s answer
    std::vector<std::pair<std::uint32_t, std::uint32_t>> cold_;  // weigh(): (position, slot) to read
    std::size_t mask_ = 0;  // slots_.size() - 1
    std::size_t used_ = 0;
    std::uint32_t generation_ = 0;
};

}  // namespace routing_core
