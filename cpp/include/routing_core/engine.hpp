// The engine: one door in, one door out. Holds the gazetteer, rules and match parameters, the events
// and the candidate index, and runs the hot path for each report:
// normalise → resolve → classify → candidates → score → decide → route → record.
// All public member functions are thread-safe (one mutex; batch calls take it once).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "routing_core/candidate_index.hpp"
#include "routing_core/classifier.hpp"
#include "routing_core/gazetteer.hpp"
#include "routing_core/matcher.hpp"
#include "routing_core/router.hpp"
#include "routing_core/rules.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

// Input size limits; a report over a limit is rejected with InvalidInput naming the field.
struct Limits {
    std::size_t max_id_bytes = 128;
    std::size_t max_text_bytes = 64 * 1024;
    std::size_t max_address_bytes = 1024;
    std::size_t max_source_bytes = 64;
};

struct EngineConfig {
    MatchParams match;
    Limits limits;
    std::vector<std::string> sources{"grid", "hotline", "app", "web", "wechat", "other"};
};

struct EngineStats {
    std::size_t events = 0;
    std::size_t open_events = 0;
    std::size_t reports = 0;
    std::size_t index_bytes = 0;
};

class Engine {
public:
    // Takes ownership of the gazetteer and rules; validates everything (ConfigError).
    Engine(Gazetteer gazetteer, RuleSet rules, EngineConfig config);

    // Validates the report (InvalidInput naming the field) before any state changes.
    Decision submit(const Report& report);
    // Validates every report first (InvalidInput names the field, prefixed with the report's position),
    // then applies them in order; a rejected batch changes nothing.
    std::vector<Decision> submit_many(const std::vector<Report>& reports);

    EventView close(const std::string& event_id, std::int64_t time, const std::string& resolution);
    // Escalates every open event whose deadline is before `now` by one level (capped at city).
    std::vector<Escalation> advance(std::int64_t now);
    EventView event(const std::string& event_id) const;
    EngineStats stats() const;

    // The steps of the hot path, exposed for inspection and tests.
    Address parse_address(std::string_view address) const;
    Classification classify(std::string_view text) const;
    const Gazetteer& gazetteer() const noexcept { return *gazetteer_; }
    const RuleSet& rules() const noexcept { return *rules_; }

private:
    struct EventState {
        std::string id;
        std::vector<std::string> report_ids;
        std::vector<std::string> sources;
        std::uint32_t category = 0;
        Level level = Level::town;
        std::int32_t unit = no_unit;
        std::int64_t opened = 0;
        std::int64_t last_report = 0;
        std::int64_t deadline = 0;
        std::optional<std::int64_t> closed;
        std::string resolution;
        std::int32_t recurrence_of = -1;
        Address address;
        std::vector<std::vector<Shingle>> texts;  // the first report's shingles, then the latest ones
        std::vector<std::vector<Shingle>> places;  // address-string shingles, parallel to texts
        std::vector<Shingle> vocabulary;  // text and address shingles of all its reports (capped), sorted
        std::vector<EventStep> history;
        std::uint32_t deadline_version = 0;
    };
    struct DeadlineEntry {
        std::int64_t deadline;
        std::uint32_t event;
        std::uint32_t version;
        bool operator>(const DeadlineEntry& o) const noexcept { return deadline > o.deadline; }
    };

    void validate(const Report& report) const;
    Address parse_address_normalised(std::u32string_view normalised) const;
    Decision apply(const Report& report);
    std::vector<CandidateScore> score_candidates(const Address& address, const std::vector<Shingle>& text,
                                                 const std::vector<Shingle>& place, std::uint32_t category,
                                                 std::int64_t time,
                                                 std::vector<std::uint32_t>& events) const;
    void merge_address(Address& into, const Address& from) const;
    void schedule(std::uint32_t event);
    EventView view(std::uint32_t event) const;
    std::uint32_t find_event(const std::string& event_id) const;
    void fill_routing(Decision& decision, const EventState& event) const;

    std::unique_ptr<Gazetteer> gazetteer_;
    std::unique_ptr<RuleSet> rules_;
    EngineConfig config_;
    Classifier classifier_;
    Router router_;

    mutable std::mutex mutex_;
    std::vector<EventState> events_;
    std::unordered_map<std::string, std::uint32_t> event_by_id_;
    std::unordered_map<std::string, std::uint32_t> report_event_;
    CandidateIndex index_;
    std::priority_queue<DeadlineEntry, std::vector<DeadlineEntry>, std::greater<>> deadlines_;
    std::size_t open_events_ = 0;
};

}  // namespace routing_core
