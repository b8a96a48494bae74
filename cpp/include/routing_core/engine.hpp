// The engine: one door in, one door out. Holds the gazetteer, rules and match parameters, the events
// and the candidate index, and runs the hot path for each report:
// normalise → resolve → classify → candidates → score → decide → route → record.
// All public member functions are thread-safe: one mutex guards matching and recording (a batch takes it
// once); validation runs before it is taken, the other stateless stages (parse, classify) run on worker
// threads alongside matching (EngineConfig::threads), which, in an explained batch, also score the
// matching report's shortlisted candidates with it whenever they are idle; a single submit runs them all
// before it.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "routing_core/candidate_index.hpp"
#include "routing_core/chunked_vector.hpp"
#include "routing_core/classifier.hpp"
#include "routing_core/event_shingles.hpp"
#include "routing_core/gazetteer.hpp"
#include "routing_core/indel.hpp"
#include "routing_core/matcher.hpp"
#include "routing_core/query_shingles.hpp"
#include "routing_core/router.hpp"
#include "routing_core/rules.hpp"
#include "routing_core/shared_loop.hpp"
#include "routing_core/string_table.hpp"
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
    // Worker threads of a batch's stateless stages (validate, normalise, parse, classify, shingle),
    // which in an explained batch (submit_many) also share the scoring of each report's shortlisted
    // candidates when they are idle (up to one fewer than the processors); matching and recording stay
    // in report order on the calling thread, so decisions do not depend on it. 0: one per hardware
    // thread. With two or more, a thread of the process also faults in the heap's new pages between
    // calls (background_prefaulter.hpp).
    std::size_t threads = 1;
};

// One report's decision without strings or explanation: indices into the engine's events, the rules
// and the gazetteer. What submit_compact returns and what the engine keeps per accepted report.
struct CompactDecision {
    std::uint32_t event = 0;           // Engine::event_id(event) is its id
    std::int32_t recurrence_of = -1;   // the closed event this one recurs, or -1
    double score = 0.0;
    double category_confidence = 0.0;
    std::int64_t deadline = 0;
    std::uint32_t category = 0;
    std::uint32_t platform = 0;
    std::uint32_t co_platforms = 0;  // bit p set: platform p co-handles (rules allow 32 platforms)
    std::int32_t review_event = -1;  // the candidate a reviewer should compare with, or -1
    std::int32_t unit = no_unit;
    Level level = Level::town;
    bool is_new = false;
    bool category_from_hint = false;
    bool needs_review = false;
};

// Where the engine's memory goes, in bytes, counted from the sizes and capacities of what it holds (the
// allocator's own overhead, about 16 bytes an allocation, is not counted).
struct EngineMemory {
    std::size_t events = 0;      // every event's fixed part (the chunked event array)
    std::size_t histories = 0;   // events' histories and report lists, rule and resolution texts
    std::size_t match_data = 0;  // matchable events' parsed addresses, texts, places, vocabulary, wording
    std::size_t reports = 0;     // report ids, channels and receipts (idempotent re-submission)
    std::size_t index = 0;       // the candidate index (CandidateIndex::memory_bytes)
    std::size_t per_event = 0;   // flat by-event arrays (cards, expiry, closed flags), purge list, deadlines
    std::size_t total() const noexcept {
        return events + histories + match_data + reports + index + per_event;
    }
};

struct EngineStats {
    std::size_t events = 0;
    std::size_t open_events = 0;
    std::size_t reports = 0;
    std::size_t index_bytes = 0;
    std::size_t purged_events = 0;  // events that can no longer match, whose match data was dropped
};

// The id of the event at `index` (in opening order): "E" and index + 1 in at least eight digits
// (E00000001). The engine keeps no id strings; it makes them from the index when asked.
std::string event_id_at(std::size_t index);

class Engine {
public:
    // Takes ownership of the gazetteer and rules; validates everything (ConfigError).
    Engine(Gazetteer gazetteer, RuleSet rules, EngineConfig config);

    // Validates the report (InvalidInput naming the field) before any state changes.
    // Report ids are idempotency keys: a report whose id was already accepted returns the original
    // decision (event, outcome, score, category and routing as decided; not its explanation: no
    // candidates, evidence, rules fired or parsed address) and changes nothing; the same id with
    // different content (text, address, time, source, category or coordinates) is rejected with
    // InvalidInput on "id".
    // With `explain` false the decision comes in that same lean form, and is made as submit_compact
    // makes it: the candidates that cannot change it are left unscored and no explanation strings are
    // built (the decision itself is the same either way).
    Decision submit(const Report& report, bool explain = true);
    // Validates every report first (InvalidInput names the field, prefixed with the report's position),
    // then applies them in order; a rejected batch changes nothing. An id already accepted answers with
    // its original decision; an id that appears again later in the same batch (with the same content)
    // answers with the decision of its first occurrence and is applied once.
    // With `explain` false every decision comes in submit's lean form, made as submit_compact makes it.
    std::vector<Decision> submit_many(const std::vector<Report>& reports, bool explain = true);
    // submit_many without explanations (no candidates, evidence, rules fired or parsed address, and no
    // strings): the batch path for throughput. Same validation, idempotency and decisions.
    std::vector<CompactDecision> submit_compact(const std::vector<Report>& reports);
    // The id of the event at `index` (CompactDecision::event); throws UnknownEvent past the last one.
    std::string event_id(std::uint32_t index) const;
    // True when a report with this id was accepted (its re-submission would be answered, not applied).
    bool knows_report(const std::string& report_id) const;

    EventView close(const std::string& event_id, std::int64_t time, const std::string& resolution);
    // Closes event_ids[i] at times[i] with resolutions[i] (one resolution for every row when there is
    // one), under one lock: the batch form of close() for a day's closes. Without skip_invalid, every
    // row is checked first and a bad one throws (InvalidInput naming "times[3]" or the like,
    // UnknownEvent naming the row) with nothing closed; with it, the bad rows are passed over and the
    // others closed. A row naming an event that an earlier row closes is a bad row ("already closed").
    std::vector<Closing> close_many(const std::vector<std::string>& event_ids, const std::vector<std::int64_t>& times,
                                    const std::vector<std::string>& resolutions, bool skip_invalid);
    // Escalates every open event whose deadline is before `now` by one level (capped at city).
    std::vector<Escalation> advance(std::int64_t now);
    EventView event(const std::string& event_id) const;
    EngineStats stats() const;
    // Walks every event and posting list (3.7 ms at 27,000 events): not for every call.
    EngineMemory memory() const;

    // The steps of the hot path, exposed for inspection and tests.
    Address parse_address(std::string_view address) const;
    Classification classify(std::string_view text, std::string_view channel = {}) const;
    const Gazetteer& gazetteer() const noexcept { return *gazetteer_; }
    const RuleSet& rules() const noexcept { return *rules_; }

    // Snapshots (engine_snapshot.cpp): the whole state in one file, so that a restart loads it and
    // replays only the journal written after it. save_snapshot writes atomically (a temporary file,
    // fsync, rename); it holds the engine's lock while it writes, so calls wait. load_snapshot needs an
    // engine that has accepted nothing yet; it refuses (routing_core::Error naming the file and the
    // reason) a truncated or corrupt file, another format or engine version, or a snapshot taken under
    // another configuration (rules, gazetteer, match parameters, limits, sources), and then leaves the
    // engine untouched.
    void save_snapshot(const std::string& path) const;
    void load_snapshot(const std::string& path);

private:
    // One step of an event's history as it is kept: 24 bytes, where an EventStep (what view() shows)
    // holds four strings. A year of a city is millions of events, each with a few steps.
    enum class StepKind : std::uint8_t { opened, merged, raised, rerouted, escalated, closed };
    static constexpr std::uint32_t no_report = 0xFFFFFFFFu;
    struct StoredStep {
        std::int64_t time = 0;
        std::int32_t unit = no_unit;        // gazetteer unit index
        std::uint32_t rule = 0;             // index into step_rules_ (0: none)
        std::uint32_t report = no_report;   // position in the event's reports
        StepKind kind = StepKind::opened;
        Level level = Level::town;
    };
    // What an event is matched by: the parsed address, texts, places, vocabulary and wording. Dropped
    // by the purge once the event can no longer match (EventState::match is then null); its history
    // and reports stay.
    struct MatchData {
        Address address;
        // The texts' and address strings' shingles of its first and latest reports, and the vocabulary
        // of all of them.
        EventShingles said;
        // The first report's wording (its normalised text's word characters, at most wording_code_points
        // of them), for the Indel ratio: the order of the words, which shingle sets do not see. In
        // UTF-16, half the bytes of UTF-32 for CJK; only explanations (and a calibration that weighs
        // it) read it.
        std::vector<char16_t> wording;
    };
    // How much of a report's wording the Indel ratio reads: 64 code points are one machine word of the
    // bit-parallel LCS, and reports name the place and the problem first.
    static constexpr std::size_t wording_code_points = 64;
    // An event's reports, by number (report_ids_, receipts_): the first one inline, since most events
    // never get a second.
    struct ReportList {
        std::vector<std::uint32_t> rest;
        std::uint32_t first = StringTable::none;
        std::size_t size() const noexcept { return first == StringTable::none ? 0 : 1 + rest.size(); }
        std::uint32_t operator[](std::size_t k) const noexcept { return k == 0 ? first : rest[k - 1]; }
        void push_back(std::uint32_t report) {
            if (first == StringTable::none) {
                first = report;
            } else {
                rest.push_back(report);
            }
        }
    };
    // One event, kept for the engine's life (a few million in a city-year): 144 bytes and its
    // history, plus its match data while it can match. Its id is event_id_at(its index).
    struct EventState {
        ReportList reports;
        std::vector<StoredStep> history;
        std::unique_ptr<MatchData> match;  // null once purged
        std::int64_t opened = 0;
        std::int64_t last_report = 0;
        std::int64_t deadline = 0;
        std::optional<std::int64_t> closed;
        std::uint32_t category = 0;
        std::uint32_t platform = 0;
        std::uint32_t co_platforms = 0;  // bit p set: platform p co-handles (rules allow 32 platforms)
        std::uint32_t recurrences = 0;   // length of the chain of closed events this one recurs
        std::uint32_t resolution = 0;    // index into resolutions_ (0: none)
        std::uint32_t deadline_version = 0;
        std::int32_t unit = no_unit;
        std::int32_t recurrence_of = -1;
        Level level = Level::town;
        // The category came from the classifier's terms (or the reporter's hint), not its fallback: a
        // fallback says nothing about the problem, so the match scores it as unknown, not as a mismatch.
        bool category_known = true;
    };
    struct DeadlineEntry {
        std::int64_t deadline;
        std::uint32_t event;
        std::uint32_t version;
        // A total order (equal deadlines by event, then version): advance() escalates the events of one
        // deadline in event order, whatever the standard library's heap does with ties.
        bool operator>(const DeadlineEntry& o) const noexcept {
            return std::tie(deadline, event, version) > std::tie(o.deadline, o.event, o.version);
        }
    };

    // What is kept of each accepted report, for idempotent re-submission (64 bytes, against ≈ 1.1 kB
    // for a whole Decision).
    struct Receipt {
        std::uint64_t fingerprint = 0;
        CompactDecision decision;
    };
    // What the stateless stages make of one valid report: computed outside the lock, in parallel for a
    // batch, then matched and recorded under it.
    struct Prepared {
        Address address;
        Classification classification;
        std::uint32_t category = 0;
        bool category_from_hint = false;
        bool category_known = false;  // from terms, channel hints or the reporter, not the fallback
        std::vector<Shingle> text;
        std::vector<Shingle> place;
        std::vector<char32_t> wording;  // see EventState::wording
        std::vector<TermHit> hits;
    };
    // The parts of a Decision only an explanation needs (apply fills them when asked).
    struct Explanation {
        std::vector<CandidateScore> candidates;
        std::vector<std::string> evidence;
        std::vector<std::string> rules_fired;
        std::vector<std::string> rule_reasons;
        Address address;
    };

    // Checks every field (InvalidInput naming it); returns the normalised text.
    std::u32string validate(const Report& report) const;
    // Validates and runs the stateless stages; touches no state, so needs no lock.
    Prepared prepare(const Report& report) const;
    // The stateless stages of a valid report whose normalised text validate() returned.
    Prepared prepare_valid(const Report& report, const std::u32string& text) const;
    // config.threads, or the hardware threads for 0.
    std::size_t threads() const;
    // Workers for a batch of this many reports (threads(); small batches get one).
    std::size_t batch_threads(std::size_t reports) const;
    // The batch path of submit_many and submit_compact: validates every report (on the workers,
    // outside the lock; the first error in report order is thrown and nothing changes), then, under
    // the lock, answers known ids (original(i, decision)), repeats of an earlier id of the batch
    // (repeat(i, first)) and applies the others in order (apply_new(i, prepared)) while the workers
    // prepare the reports ahead. With `explained`, idle workers also take candidates of the scoring
    // (see score_candidates).
    template <typename Original, typename Repeat, typename Apply>
    void run_batch(const std::vector<Report>& reports, bool explained, const Original& original,
                   const Repeat& repeat, const Apply& apply_new);
    // The receipt of an already accepted id, nullptr for a new id; throws InvalidInput on "id" when
    // the id was accepted with different content.
    const Receipt* receipt_for(const Report& report) const;
    // For each report of a batch (under the lock): its original decision when its id was accepted
    // before, the position of its first occurrence when it repeats an id of the batch, or neither
    // (apply it). Throws the batch's first error in report order, prefixed "reports[i].".
    void plan_batch(const std::vector<Report>& reports, const std::vector<std::exception_ptr>& errors,
                    std::vector<const CompactDecision*>& originals, std::vector<std::size_t>& first_of) const;
    // The decision with strings, from its compact form.
    Decision answer(const std::string& report_id, const CompactDecision& decision) const;
    Address parse_address_normalised(std::u32string_view normalised) const;
    // Matches and records one prepared report (under the lock) and keeps its receipt; fills
    // `explanation` when given.
    const CompactDecision& apply(const Report& report, Prepared& prepared, Explanation* explanation);
    Decision explained(const Report& report, const CompactDecision& decision, Explanation&& explanation) const;
    // Scores the report against its candidate events, best first; events[i] is candidate i's event.
    // Candidate event ids (strings) are filled only `with_ids`. `source` is the report's channel index.
    std::vector<CandidateScore> score_candidates(const Prepared& report, std::int64_t time,
                                                 std::uint8_t source, std::vector<std::uint32_t>& events,
                                                 bool with_ids) const;
    // A candidate while it is scored: its features, its event, and the part of its score that needs
    // no text (MatchParams::cheap_part), computed once.
    struct Scoring {
        CandidateScore features;
        std::uint32_t event = 0;
        double cheap = 0.0;
        double as_recurrence = 0.0;  // a closed one's cheap part with recency 1 (see shortlist)
    };
    // The vectors score_candidates fills for each report, kept between reports (guarded by mutex_) so
    // that a report allocates none of them.
    struct ScoringScratch {
        std::vector<Shingle> keys;                         // the lookup's text and place shingles
        std::vector<double> text_weight, place_weight;     // the query's IDF weights
        QueryShingles query;                               // the text and place, indexed
        std::vector<Scoring> scored, kept;                 // the candidates; the shortlist's copy
        std::vector<std::pair<double, std::size_t>> rank;  // the shortlist's order
        std::vector<std::size_t> order;                    // the scoring order
        std::vector<double> bound;
        std::vector<char> unscored;
        AddressCategoryMemo cheap_terms;  // for config_.match alone, which an engine never changes
    };
    // Cuts the candidates to the config's lookup.max_scored by their cheap features (address, category,
    // time, position, channel), keeping the best closed one for recurrence.
    void shortlist(std::vector<Scoring>& scored, ScoringScratch& scratch) const;
    void merge_address(Address& into, const Address& from) const;
    void reroute_on_merge(std::uint32_t event_index, const Report& report, const std::vector<TermHit>& hits,
                          Explanation* explanation);
    void place_by_coordinates(Address& address) const;
    // When the address field names no house number and no building (门口, 这边, a road alone, or
    // nothing), takes the road and number, or the compound and building, that the report's text names
    // (来电人反映茅洋西路215号…), unless they contradict the address field.
    void place_from_text(Address& address, std::string_view text) const;
    void schedule(std::uint32_t event);
    // Recomputes what the lookup and the cheap features read of an event (expires_, closed_, cards_)
    // from its state: after it opens, merges a report, closes, is purged or is read from a snapshot.
    void refresh_matching(std::uint32_t event);
    // One slice of the purge (see PurgeSweep), after each new event.
    void purge_step();
    // Starts the next pass of the purge: drops the events the last one purged from matchable_.
    void start_purge_pass();
    EventView view(std::uint32_t event) const;
    // Appends a step to the event's history; `rule` is interned in step_rules_.
    void add_step(EventState& ev, std::int64_t time, StepKind kind, std::string_view rule, std::uint32_t report);
    std::uint32_t intern_rule(std::string_view rule);
    // Numbers a new accepted report (its id in report_ids_, its channel in report_sources_); returns
    // its number, which is also the position of its receipt in receipts_.
    std::uint32_t add_report(const Report& report);
    std::uint8_t source_index(const std::string& source) const;
    // The codes of the platforms whose bits are set, in the platforms' order.
    std::vector<std::string> platform_codes(std::uint32_t mask) const;
    // The index of the event with this id (only the canonical form event_id_at makes); throws
    // UnknownEvent.
    std::uint32_t find_event(const std::string& event_id) const;
    // close()'s checks of a closing (throws InvalidInput or UnknownEvent), and the closing itself.
    std::uint32_t check_closing(const std::string& event_id, std::int64_t time, const std::string& resolution) const;
    void close_event(std::uint32_t e, std::int64_t time, const std::string& resolution);
    // Whether one of the event's reports came from channel `source`.
    bool heard_from(const EventState& ev, std::uint8_t source) const;

    std::unique_ptr<Gazetteer> gazetteer_;
    std::unique_ptr<RuleSet> rules_;
    EngineConfig config_;
    Classifier classifier_;
    Router router_;

    mutable std::mutex mutex_;
    // Chunked: a few million events never move, and growing never holds two copies of them at once.
    ChunkedVector<EventState> events_;
    // The rule texts of history steps ("category:...", rule ids, "escalation:overdue"), each once;
    // [0] is the empty text.
    std::vector<std::string> step_rules_{std::string()};
    std::unordered_map<std::string, std::uint32_t> step_rule_index_{{std::string(), 0u}};
    std::string rule_key_;     // intern_rule's key, kept between calls (guarded by mutex_)
    std::string opened_rule_;  // apply's "category:<code>" rule of a new event, likewise
    // Closed events' resolutions, each text once; [0] is the empty text (open events).
    StringTable resolutions_;
    // Accepted reports, numbered in arrival order: their ids, their channels (index into
    // config.sources) and their receipts. These and the arrays by event below grow in chunks, never by
    // copying: a std::vector of a city-year's 4 million reports or 2 million events doubled in the
    // middle of one report's call (batches of 1,000 reports that took 0.17-0.34 s on the city-year
    // replay, against ~0.08 s for the others).
    StringTable report_ids_;
    ChunkedVector<std::uint8_t> report_sources_;
    ChunkedVector<Receipt> receipts_;
    CandidateIndex index_;
    // By event: the last time it may be a candidate (latest report + window when open, closing time +
    // recurrence period when closed); lets the lookup skip expired events before ranking.
    ChunkedVector<std::int64_t> expires_;
    // By event: 1 when closed (the lookup ranks closed events apart, see LookupLimits::max_closed).
    ChunkedVector<std::uint8_t> closed_;
    // By event, flat: what the cheap features read, so that the ~65 candidates of a report cost a
    // cache line each instead of a walk through each event's scattered state. (Its closed flag repeats
    // closed_ on purpose, for that line; refresh_matching sets both.)
    struct MatchCard {
        // The event's match data, null when it has none (purged): scoring reaches it from here, a line
        // the cheap features just read, rather than through the event's own state.
        const MatchData* match = nullptr;
        std::int64_t last_report = 0;
        std::uint64_t sources = 0;  // bit s: a report came from channel s (channels from 64 on: see the event)
        std::uint32_t category = 0;
        bool category_known = false;
        bool closed = false;
    };
    ChunkedVector<MatchCard> cards_;
    // The events that still have matching data (not purged), ascending: what a purge looks at. (Those
    // the current pass purged stay until it ends, with null match data.)
    std::vector<std::uint32_t> matchable_;
    // The latest report time seen; from it, what can no longer match: closed events whose recurrence
    // period ended more than a window before `clock_`, and open ones without a report for longer than a
    // window, a recurrence period and a window (abandoned). They lose their postings and match data
    // (never their history) in the purge. It runs in slices after each new event, not all at once (a
    // pause of ~0.3 s at a year's index size): a pass sweeps the address posting lists, then the text
    // posting lists, then the matchable events, each as far as it reached when the pass got to it. A
    // posting or a matchable event costs 1, each list 1 more; a slice spends a share of the whole
    // (see purge_step), so that no new event waits long for it.
    struct PurgeSweep {
        std::uint32_t phase = 0;  // 0: address posting lists, 1: text posting lists, 2: matchable events
        // Phases 0 and 1: the position in the table; phase 2: the next event (`list`) and the event the
        // phase stops at (`end`).
        CandidateIndex::SweepPosition at;
        std::int64_t credit = 0;  // what the next slice may spend, less what earlier ones overspent
    };
    static constexpr std::size_t purge_interval = 4096;
    // At most this many events lose their match data per slice: freeing an event's blocks costs cache
    // misses, ~1 µs, so a slice that freed every dead event it checked could run long. (Single submits
    // after 35 days: p99.9 237-300 µs with the cap, 607 µs without; benchmarks/RESULTS.md.) Every event
    // dies once, so 8 per new event is ample.
    static constexpr std::size_t purge_frees_per_step = 8;
    std::int64_t clock_ = 0;
    PurgeSweep purge_;
    std::size_t purged_events_ = 0;
    // Scratch of score_candidates (guarded by mutex_): a weight memo and marks per worker ([0] the
    // matching thread's, [w] batch helper w's), and the loop the helpers join while a report is scored
    // with its explanation.
    struct WorkerScratch {
        IdfMemo memo;
        std::vector<char> marks;  // QueryShingles::dice()'s
    };
    mutable std::vector<WorkerScratch> workers_;
    mutable SharedLoop scoring_;
    mutable LookupScratch lookup_scratch_;     // scratch of score_candidates (guarded by mutex_)
    mutable ScoringScratch scoring_scratch_;
    std::priority_queue<DeadlineEntry, std::vector<DeadlineEntry>, std::greater<>> deadlines_;
    std::size_t open_events_ = 0;
    // Two or more threads: the process's background prefaulter is nudged when a call ends
    // (background_prefaulter.hpp).
    bool nudges_prefaulter_ = false;
};

}  // namespace routing_core
