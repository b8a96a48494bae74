// Engine::memory: the engine's bytes by part, from the sizes and capacities of its containers.
#include <mutex>
#include <string>
#include <vector>

#include "routing_core/engine.hpp"

namespace routing_core {

namespace {

// Heap bytes of a string beyond the object itself (libstdc++ keeps up to 15 bytes inline).
std::size_t heap_bytes(const std::string& s) noexcept {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

template <typename T>
std::size_t heap_bytes(const std::vector<T>& v) noexcept {
    return v.capacity() * sizeof(T);
}

std::size_t heap_bytes(const Address& a) noexcept {
    std::size_t bytes = heap_bytes(a.ambiguities);
    for (const std::string* s : {&a.normalised, &a.road, &a.number, &a.compound, &a.building, &a.unit, &a.room,
                                 &a.remainder}) {
        bytes += heap_bytes(*s);
    }
    for (const std::string& s : a.ambiguities) bytes += heap_bytes(s);
    return bytes;
}

}  // namespace

EngineMemory Engine::memory() const {
    std::lock_guard<std::mutex> lock(mutex_);
    EngineMemory m;
    m.events = events_.memory_bytes();
    for (std::size_t e = 0; e < events_.size(); ++e) {
        const EventState& ev = events_[e];
        m.histories += heap_bytes(ev.history) + heap_bytes(ev.reports.rest);
    }
    for (const std::string& rule : step_rules_) m.histories += sizeof(std::string) + heap_bytes(rule);
    m.histories += step_rule_index_.size() * (sizeof(std::string) + 2 * sizeof(void*) + sizeof(std::uint32_t));
    m.histories += resolutions_.memory_bytes();
    for (std::uint32_t e : matchable_) {
        const MatchData* match = events_[e].match.get();
        if (match == nullptr) continue;
        m.match_data += sizeof(MatchData) + heap_bytes(match->address) + match->said.heap_bytes() +
                        heap_bytes(match->wording);
    }
    m.reports = report_ids_.memory_bytes() + report_sources_.memory_bytes() + receipts_.memory_bytes();
    m.index = index_.memory_bytes();
    m.per_event = expires_.memory_bytes() + closed_.memory_bytes() + cards_.memory_bytes() +
                  heap_bytes(matchable_) + deadlines_.size() * sizeof(DeadlineEntry);
    return m;
}

}  // namespace routing_core
