#include "routing_core/engine.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <numeric>
#include <thread>
#include <unordered_set>

#include "routing_core/address_parser.hpp"
#include "routing_core/address_similarity.hpp"
#include "routing_core/background_prefaulter.hpp"
#include "routing_core/error.hpp"
#include "routing_core/geo.hpp"
#include "routing_core/heap_prefaulter.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf16.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {
namespace {

// 1970-01-01 .. 2100-01-01: anything outside is a unit mistake (milliseconds) or garbage.
constexpr std::int64_t earliest_time = 0;
constexpr std::int64_t latest_time = 4102444800;

// The word characters of a normalised text, at most `code_points` of them: its wording for the Indel
// ratio (see MatchData::wording).
std::vector<char32_t> wording_of(std::u32string_view text, std::size_t code_points) {
    std::vector<char32_t> out;
    out.reserve(std::min(text.size(), code_points));
    for (char32_t cp : text) {
        if (out.size() == code_points) break;
        if (is_word_char(cp)) out.push_back(cp);
    }
    return out;
}

// std::stable_sort's order. A report's lists are short (the shortlisted candidates), and stable_sort
// allocates a buffer on every call: those are sorted by insertion instead.
template <typename It, typename Before>
void stable_sort_short(It first, It last, const Before& before) {
    if (last - first > 32) {
        std::stable_sort(first, last, before);
        return;
    }
    if (first == last) return;
    for (It i = std::next(first); i != last; ++i) {
        for (It k = i; k != first && before(*k, *std::prev(k)); --k) std::iter_swap(k, std::prev(k));
    }
}

// The category feature when either side's category is the classifier's fallback (no term matched):
// halfway between agreement (1) and disagreement (0); calibration fits what it is worth.
constexpr double unknown_category = 0.5;
// The most shingles an event's vocabulary keeps (a burst of 30 paraphrases stays well below it).
constexpr std::size_t vocabulary_limit = 1024;

// Nudges the process's background prefaulter when a call ends, however it ends: after the engine's lock
// is released and the batch's helpers are joined, when declared before them.
struct NudgeOnReturn {
    bool enabled;
    ~NudgeOnReturn() {
        if (enabled) BackgroundPrefaulter::instance().nudge();
    }
};

void check_utf8(const char* field, const std::string& value) {
    const std::size_t bad = utf8::find_invalid(value);
    if (bad != std::string::npos) {
        throw InvalidInput(field, excerpt(value), "invalid UTF-8 at byte " + std::to_string(bad));
    }
}

void check_size(const char* field, const std::string& value, std::size_t limit) {
    if (value.size() > limit) {
        throw InvalidInput(field, excerpt(value),
                           std::to_string(value.size()) + " bytes exceeds the limit of " + std::to_string(limit));
    }
}

// Why a category hint is not one of the rules' codes, and what it may have meant: the code whose label
// it is (integrators send the Chinese label), or the closest codes by Indel ratio (a typo).
std::string not_a_category(const RuleSet& rules, const std::string& value) {
    for (std::uint32_t c = 0; c < rules.category_count(); ++c) {
        if (rules.category(c).label == value) {
            return "a category's label, not its code; its code is " + rules.category(c).code;
        }
    }
    std::string out = "not a category of the rules (" + std::to_string(rules.category_count()) + " codes";
    if (value.size() > 256) return out + ")";  // not a mistyped code
    const IndelPattern pattern(utf8::decode(value));
    std::vector<std::pair<double, std::uint32_t>> closest;  // (-ratio, index): the best first, then file order
    for (std::uint32_t c = 0; c < rules.category_count(); ++c) {
        const double ratio = pattern.ratio(utf8::decode(rules.category(c).code));
        if (ratio >= 0.6) closest.emplace_back(-ratio, c);
    }
    std::sort(closest.begin(), closest.end());
    for (std::size_t k = 0; k < std::min<std::size_t>(closest.size(), 3); ++k) {
        out += (k == 0 ? "; the closest: " : ", ") + rules.category(closest[k].second).code;
    }
    return out + ")";
}

// FNV-1a (64 bit) over every field but the id, each length-prefixed: what "the same report" means for
// an idempotent re-submission. Stable across processes and platforms, unlike std::hash.
std::uint64_t report_fingerprint(const Report& r) {
    std::uint64_t h = 14695981039346656037ull;
    const auto mix = [&h](const void* data, std::size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
    };
    const auto mix_string = [&mix](const std::string& s) {
        const std::uint64_t size = s.size();
        mix(&size, sizeof size);
        mix(s.data(), s.size());
    };
    mix_string(r.text);
    mix_string(r.address);
    mix(&r.time, sizeof r.time);
    mix_string(r.source);
    mix_string(r.category);
    for (const auto& coordinate : {r.lat, r.lon}) {
        const double value = coordinate.value_or(0.0);
        const unsigned char present = coordinate.has_value() ? 1 : 0;
        mix(&present, 1);
        mix(&value, sizeof value);
    }
    return h;
}

}  // namespace

std::string event_id_at(std::size_t index) {
    std::string digits = std::to_string(index + 1);
    if (digits.size() < 8) digits.insert(0, 8 - digits.size(), '0');
    return "E" + digits;
}

Engine::Engine(Gazetteer gazetteer, RuleSet rules, EngineConfig config)
    : gazetteer_(std::make_unique<Gazetteer>(std::move(gazetteer))),
      rules_(std::make_unique<RuleSet>(std::move(rules))),
      config_(std::move(config)),
      classifier_((rules_->validate(), *rules_)),
      router_(*rules_, *gazetteer_) {
    config_.match.validate();
    if (gazetteer_->city() == no_unit) throw ConfigError("the gazetteer has no city-level unit to route city events to");
    if (config_.sources.empty()) throw ConfigError("no report sources (channels) are configured");
    if (config_.sources.size() > 255) {
        throw ConfigError("sources: at most 255 report sources (channels), got " + std::to_string(config_.sources.size()));
    }
    resolutions_.intern({});  // [0]: the empty text of open events
    nudges_prefaulter_ = threads() >= 2;
}

std::u32string Engine::validate(const Report& r) const {
    const Limits& limits = config_.limits;
    check_size("id", r.id, limits.max_id_bytes);
    check_utf8("id", r.id);
    if (r.id.empty()) throw InvalidInput("id", "", "must not be empty");
    check_size("text", r.text, limits.max_text_bytes);
    check_utf8("text", r.text);
    std::u32string text = normalise_text(utf8::decode(r.text));
    if (text.empty()) throw InvalidInput("text", excerpt(r.text), "must not be blank");
    check_size("address", r.address, limits.max_address_bytes);
    check_utf8("address", r.address);
    check_size("source", r.source, limits.max_source_bytes);
    check_utf8("source", r.source);
    if (std::find(config_.sources.begin(), config_.sources.end(), r.source) == config_.sources.end()) {
        std::string known;
        for (const auto& s : config_.sources) known += (known.empty() ? "" : ", ") + s;
        throw InvalidInput("source", excerpt(r.source), "unknown channel; known: " + known);
    }
    if (!r.category.empty()) {
        check_utf8("category", r.category);
        if (rules_->find_category(r.category) < 0) {
            throw InvalidInput("category", excerpt(r.category), not_a_category(*rules_, r.category));
        }
    }
    if (r.time < earliest_time || r.time >= latest_time) {
        throw InvalidInput("time", std::to_string(r.time), "outside 1970-01-01..2100-01-01 (seconds since the epoch)");
    }
    if (r.lat.has_value() != r.lon.has_value()) {
        throw InvalidInput(r.lat ? "lon" : "lat", "None", "lat and lon must be given together");
    }
    if (r.lat && (!std::isfinite(*r.lat) || *r.lat < -90.0 || *r.lat > 90.0)) {
        throw InvalidInput("lat", std::to_string(*r.lat), "must be a latitude in [-90, 90]");
    }
    if (r.lon && (!std::isfinite(*r.lon) || *r.lon < -180.0 || *r.lon > 180.0)) {
        throw InvalidInput("lon", std::to_string(*r.lon), "must be a longitude in [-180, 180]");
    }
    return text;
}

Engine::Prepared Engine::prepare(const Report& report) const { return prepare_valid(report, validate(report)); }

Engine::Prepared Engine::prepare_valid(const Report& report, const std::u32string& text) const {
    const std::u32string address_text = normalise_address(utf8::decode(report.address));
    Prepared p;
    // resolve
    p.address = parse_address_normalised(address_text);
    p.address.lat = report.lat;
    p.address.lon = report.lon;
    if (report.lat) place_by_coordinates(p.address);
    if (p.address.number.empty() && p.address.building.empty()) place_from_text(p.address, report.text);
    // classify (the report's own category, when given, wins; either is a feature of the match)
    p.classification = classifier_.classify(text, report.source);
    p.category = p.classification.category;
    p.category_known = p.classification.confidence > 0.0;
    if (!report.category.empty()) {
        p.category = static_cast<std::uint32_t>(rules_->find_category(report.category));
        p.category_from_hint = true;
        p.category_known = true;
    }
    p.text = shingles(text);
    p.place = shingles(address_text);
    p.wording = wording_of(text, wording_code_points);
    p.hits = router_.term_hits(text);
    return p;
}

const Engine::Receipt* Engine::receipt_for(const Report& report) const {
    const std::uint32_t number = report_ids_.find(report.id);
    if (number == StringTable::none) return nullptr;
    const Receipt& receipt = receipts_[number];
    if (receipt.fingerprint != report_fingerprint(report)) {
        throw InvalidInput("id", excerpt(report.id),
                           "a report with this id was already accepted with different content "
                           "(text, address, time, source, category or coordinates)");
    }
    return &receipt;
}

Decision Engine::answer(const std::string& report_id, const CompactDecision& r) const {
    Decision d;
    d.report_id = report_id;
    d.event_id = event_id_at(r.event);
    d.is_new = r.is_new;
    if (!r.is_new) d.duplicate_of = d.event_id;
    if (r.recurrence_of >= 0) d.recurrence_of = event_id_at(static_cast<std::size_t>(r.recurrence_of));
    d.needs_review = r.needs_review;
    if (r.review_event >= 0) d.review_event = event_id_at(static_cast<std::size_t>(r.review_event));
    d.score = r.score;
    d.category_confidence = r.category_confidence;
    d.category_from_hint = r.category_from_hint;
    d.category = rules_->category(r.category).code;
    d.platform = rules_->platform_code(r.platform);
    d.co_platforms = platform_codes(r.co_platforms);
    d.level = r.level;
    d.unit_code = gazetteer_->unit(static_cast<std::uint32_t>(r.unit)).code;
    d.unit_name = gazetteer_->name_path(static_cast<std::uint32_t>(r.unit));
    d.deadline = r.deadline;
    return d;
}

Decision Engine::explained(const Report& report, const CompactDecision& decision, Explanation&& e) const {
    Decision d = answer(report.id, decision);
    d.candidates = std::move(e.candidates);
    d.evidence = std::move(e.evidence);
    d.rules_fired = std::move(e.rules_fired);
    d.rule_reasons = std::move(e.rule_reasons);
    d.address = std::move(e.address);
    return d;
}

std::string Engine::event_id(std::uint32_t index) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (index >= events_.size()) throw UnknownEvent("#" + std::to_string(index));
    return event_id_at(index);
}

bool Engine::knows_report(const std::string& report_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return report_ids_.find(report_id) != StringTable::none;
}

Decision Engine::submit(const Report& report, bool explain) {
    const NudgeOnReturn nudge{nudges_prefaulter_};
    {
        // A re-sent report (a client's retry) is answered from its receipt before any preparing: a
        // hash lookup instead of parsing, classifying and shingling it again. Only when the lock is
        // free: while another thread matches, this one prepares meanwhile, as a new report would, and
        // the check below answers it (as it does a report accepted by another thread meanwhile).
        std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
        if (lock.owns_lock()) {
            if (const Receipt* original = receipt_for(report)) return answer(report.id, original->decision);
        }
    }
    std::optional<Prepared> prepared;
    std::exception_ptr invalid;
    try {
        prepared = prepare(report);  // outside the lock: other threads match meanwhile
    } catch (const InvalidInput&) {
        invalid = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (const Receipt* original = receipt_for(report)) return answer(report.id, original->decision);
    if (invalid) std::rethrow_exception(invalid);
    if (!explain) return answer(report.id, apply(report, *prepared, nullptr));
    Explanation explanation;
    const CompactDecision& decision = apply(report, *prepared, &explanation);
    return explained(report, decision, std::move(explanation));
}

void Engine::plan_batch(const std::vector<Report>& reports, const std::vector<std::exception_ptr>& errors,
                        std::vector<const CompactDecision*>& originals, std::vector<std::size_t>& first_of) const {
    originals.assign(reports.size(), nullptr);
    first_of.assign(reports.size(), static_cast<std::size_t>(-1));
    std::unordered_map<std::string_view, std::size_t> batch_ids;
    for (std::size_t i = 0; i < reports.size(); ++i) {
        try {
            if (const Receipt* r = receipt_for(reports[i])) {
                originals[i] = &r->decision;
                continue;
            }
            const auto [it, inserted] = batch_ids.emplace(reports[i].id, i);
            if (!inserted) {
                if (report_fingerprint(reports[i]) != report_fingerprint(reports[it->second])) {
                    throw InvalidInput("id", excerpt(reports[i].id),
                                       "appears twice in the batch with different content (first at reports[" +
                                           std::to_string(it->second) + "])");
                }
                first_of[i] = it->second;
                continue;
            }
            if (errors[i]) std::rethrow_exception(errors[i]);
        } catch (const InvalidInput& e) {
            throw InvalidInput("reports[" + std::to_string(i) + "]." + e.field(), e.value(), e.problem());
        }
    }
}

namespace {

// Joins worker threads when the batch ends, however it ends (an exception included), after telling
// them to stop.
struct Workers {
    std::vector<std::thread> threads;
    std::atomic<bool> stop{false};
    SharedLoop* helping = nullptr;  // the loop they help with when idle (woken to stop)
    std::mutex idle_mutex;
    std::condition_variable idle;  // where a worker with nothing to do waits (woken to stop)
    // Waits until stopped or `most` has passed; whether stopped.
    bool rest(std::chrono::microseconds most) {
        std::unique_lock<std::mutex> lock(idle_mutex);
        return idle.wait_for(lock, most, [&] { return stop.load(std::memory_order_relaxed); });
    }
    ~Workers() {
        {
            // Under the lock: not between a resting worker's check and its wait.
            std::lock_guard<std::mutex> lock(idle_mutex);
            stop.store(true, std::memory_order_relaxed);
        }
        idle.notify_all();
        if (helping != nullptr) helping->wake_all();
        for (auto& t : threads) t.join();
    }
};

}  // namespace

std::size_t Engine::threads() const {
    return config_.threads != 0 ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
}

std::size_t Engine::batch_threads(std::size_t reports) const {
    // Tiny batches stay on one thread.
    return std::max<std::size_t>(1, std::min(threads(), reports / 64 + 1));
}

template <typename Original, typename Repeat, typename Apply>
void Engine::run_batch(const std::vector<Report>& reports, bool explained, const Original& original,
                       const Repeat& repeat, const Apply& apply_new) {
    const std::size_t n = reports.size();
    const std::size_t threads = batch_threads(n);
    // A batch on one thread (a few reports) is like a single submit. A lean batch on more has its own
    // helper to fault pages in; waking the process's prefaulter at its end would have it compete with
    // the next batch for the processors instead.
    const NudgeOnReturn nudge{nudges_prefaulter_ && threads == 1};
    // 1. Validate every report, outside the lock: a rejected batch must change nothing.
    std::vector<std::u32string> texts(n);
    std::vector<std::exception_ptr> errors(n);
    {
        Workers validators;
        const auto validate_from = [&](std::size_t first) {
            for (std::size_t i = first; i < n; i += threads) {
                try {
                    texts[i] = validate(reports[i]);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            }
        };
        for (std::size_t t = 1; t < threads; ++t) validators.threads.emplace_back(validate_from, t);
        validate_from(0);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<const CompactDecision*> originals;
    std::vector<std::size_t> first_of;
    plan_batch(reports, errors, originals, first_of);
    // 2. Apply the new reports in order on this thread while the workers prepare the ones ahead
    //    (address, classification, shingles: stateless), so preparing overlaps matching.
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < n; ++i) {
        if (originals[i] == nullptr && first_of[i] == static_cast<std::size_t>(-1)) todo.push_back(i);
    }
    std::vector<Prepared> prepared(todo.size());
    std::vector<std::exception_ptr> failed(todo.size());
    const std::unique_ptr<std::atomic<bool>[]> ready(new std::atomic<bool>[todo.size()]);
    for (std::size_t k = 0; k < todo.size(); ++k) ready[k].store(false, std::memory_order_relaxed);
    const std::size_t helpers = threads - 1;
    if (workers_.size() < threads) workers_.resize(threads);
    // Helpers also score candidates when idle, as many as there are other processors, when the batch
    // is explained: only then does a report score every shortlisted candidate. In a lean batch the
    // bounds leave ~2 to score in full: handing those out cost the matching thread more than it saved,
    // and each helper's memo read the same weights again (stop 25, benchmarks/RESULTS.md).
    const std::size_t processors = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t scoring_helpers = explained ? std::min<std::size_t>(helpers, processors - 1) : 0;
    // In a lean batch, helper 0 frees the prepared reports matching is done with, prepared[0, applied).
    const bool helper_frees = helpers > 0 && scoring_helpers == 0;
    std::atomic<std::size_t> applied{0};
    scoring_.reenable();
    Workers preparers;  // declared after what they write, so joined before it goes
    preparers.helping = &scoring_;
    for (std::size_t w = 0; w < helpers; ++w) {
        preparers.threads.emplace_back([&, w] {
            const auto stopped = [&] { return preparers.stop.load(std::memory_order_relaxed); };
            for (std::size_t k = w; k < todo.size() && !stopped(); k += helpers) {
                try {
                    prepared[k] = prepare_valid(reports[todo[k]], texts[todo[k]]);
                } catch (...) {
                    failed[k] = std::current_exception();
                }
                ready[k].store(true, std::memory_order_release);
                if (w < scoring_helpers) scoring_.help(w + 1);
            }
            // Ahead of matching with nothing left to prepare: score candidates with it until the end.
            if (w < scoring_helpers) {
                scoring_.help_until(preparers.stop, w + 1);
            } else if (helper_frees && w == 0) {
                // Or free the prepared reports matching is done with (their memory came from the helpers'
                // arenas), and fault in the heap's free top before matching writes to it, with the
                // process's prefaulter (background_prefaulter.hpp; a step is skipped while its thread is
                // stepping), a huge page at a time so that the batch's end does not wait long.
                std::size_t freed = 0;
                while (!stopped()) {
                    const std::size_t done = applied.load(std::memory_order_acquire);
                    const bool freeing = freed < done;
                    for (; freed < done; ++freed) prepared[freed] = Prepared{};
                    const bool faulting =
                        BackgroundPrefaulter::instance().try_step(HeapPrefaulter::huge_page) > 0;
                    if (!freeing && !faulting && preparers.rest(std::chrono::microseconds(500))) break;
                }
            }
        });
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (originals[i] != nullptr) {
            original(i, *originals[i]);
        } else if (first_of[i] != static_cast<std::size_t>(-1)) {
            repeat(i, first_of[i]);
        } else {
            if (helpers == 0) {
                prepared[k] = prepare_valid(reports[i], texts[i]);
            } else {
                while (!ready[k].load(std::memory_order_acquire)) std::this_thread::yield();
                if (failed[k]) std::rethrow_exception(failed[k]);
            }
            apply_new(i, prepared[k]);
            ++k;
            if (helper_frees) {
                applied.store(k, std::memory_order_release);
            } else {
                prepared[k - 1] = Prepared{};  // its memory back as the batch goes
            }
        }
    }
}

std::vector<Decision> Engine::submit_many(const std::vector<Report>& reports, bool explain) {
    std::vector<Decision> decisions;
    decisions.reserve(reports.size());
    run_batch(
        reports, explain,
        [&](std::size_t i, const CompactDecision& d) { decisions.push_back(answer(reports[i].id, d)); },
        [&](std::size_t, std::size_t first) { decisions.push_back(decisions[first]); },
        [&](std::size_t i, Prepared& p) {
            if (!explain) {
                decisions.push_back(answer(reports[i].id, apply(reports[i], p, nullptr)));
                return;
            }
            Explanation explanation;
            const CompactDecision& decision = apply(reports[i], p, &explanation);
            decisions.push_back(explained(reports[i], decision, std::move(explanation)));
        });
    return decisions;
}

std::vector<CompactDecision> Engine::submit_compact(const std::vector<Report>& reports) {
    std::vector<CompactDecision> decisions;
    decisions.reserve(reports.size());
    run_batch(
        reports, false, [&](std::size_t, const CompactDecision& d) { decisions.push_back(d); },
        [&](std::size_t, std::size_t first) { decisions.push_back(decisions[first]); },
        [&](std::size_t i, Prepared& p) { decisions.push_back(apply(reports[i], p, nullptr)); });
    return decisions;
}

// Keeps the candidates worth scoring on every feature (lookup.max_scored of them): the best by the
// cheap features first; recency says little about a recurrence (its event was closed days ago), so
// the best closed event by address and category alone is kept too.
void Engine::shortlist(std::vector<Scoring>& scored, ScoringScratch& scratch) const {
    const MatchParams& p = config_.match;
    if (p.lookup.max_scored == 0 || scored.size() <= p.lookup.max_scored) return;
    auto& order = scratch.rank;
    order.clear();
    std::size_t best_closed = scored.size();
    double best_closed_value = -1.0;
    for (std::size_t i = 0; i < scored.size(); ++i) {
        order.emplace_back(-scored[i].cheap, i);
        if (!scored[i].features.closed) continue;
        if (scored[i].as_recurrence > best_closed_value) {
            best_closed = i;
            best_closed_value = scored[i].as_recurrence;
        }
    }
    // The best max_scored in order (a total order: ties by position): selected, then sorted.
    const auto cut = order.begin() + static_cast<std::ptrdiff_t>(p.lookup.max_scored);
    std::nth_element(order.begin(), cut, order.end());
    order.resize(p.lookup.max_scored);
    std::sort(order.begin(), order.end());
    if (best_closed < scored.size() &&
        std::none_of(order.begin(), order.end(), [&](const auto& o) { return o.second == best_closed; })) {
        order.emplace_back(0.0, best_closed);
    }
    std::vector<Scoring>& kept = scratch.kept;
    kept.clear();
    for (const auto& o : order) kept.push_back(std::move(scored[o.second]));
    scored.swap(kept);
}

std::vector<CandidateScore> Engine::score_candidates(const Prepared& report, std::int64_t time,
                                                     std::uint8_t source, std::vector<std::uint32_t>& events,
                                                     bool with_ids) const {
    const MatchParams& p = config_.match;
    const Address& address = report.address;
    const std::vector<Shingle>& text = report.text;
    const std::vector<Shingle>& place = report.place;
    const std::uint32_t category = report.category;
    const bool category_known = report.category_known;
    if (workers_.empty()) workers_.resize(1);
    for (WorkerScratch& w : workers_) w.memo.reset(index_);  // no helper is using one between reports
    IdfMemo& memo = workers_[0].memo;
    // Text and address-string shingles share one key space: a place named in one report's text finds
    // the event whose address field names it (app reports often leave the address field empty).
    ScoringScratch& scratch = scoring_scratch_;
    std::vector<Shingle>& keys = scratch.keys;
    keys.clear();
    std::set_union(text.begin(), text.end(), place.begin(), place.end(), std::back_inserter(keys));
    const std::vector<std::uint32_t> found =
        index_.lookup(address_keys(address, KeyUse::query), keys, p.lookup, lookup_scratch_, &expires_, time,
                      p.lookup.max_closed > 0 ? &closed_ : nullptr);
    // The query's own weights and place flags, once for all candidates.
    std::vector<double>& text_w = scratch.text_weight;
    const double* weights = memo.weigh(text);
    text_w.assign(weights, weights + text.size());
    std::vector<double>& place_w = scratch.place_weight;
    weights = memo.weigh(place);
    place_w.assign(weights, weights + place.size());
    QueryShingles& query = scratch.query;
    query.assign(text, text_w.data(), place, place_w.data());
    // The wording's Indel ratio is computed when it counts, or for an explanation (a calibration may
    // leave it out: weight 0); its bit masks are built once for all candidates, and only then (the
    // pattern allocates its table).
    const bool with_wording = p.weight_wording > 0.0 || with_ids;
    std::optional<IndelPattern> wording;
    if (with_wording) wording.emplace(std::u32string_view(report.wording.data(), report.wording.size()));

    // Cheap features first (address, category, time: no text is read), for every candidate (the
    // lookup already left out the expired ones, by expires_).
    std::vector<Scoring>& scored = scratch.scored;
    scored.clear();
    // The candidates' cards and addresses are scattered over memory: each is fetched a few candidates
    // ahead of its use, so that the cache misses overlap instead of coming one after another.
    constexpr std::size_t card_ahead = 8;
    constexpr std::size_t address_ahead = 4;
    for (std::size_t i = 0; i < std::min(card_ahead, found.size()); ++i) __builtin_prefetch(&cards_[found[i]]);
    for (std::size_t i = 0; i < found.size(); ++i) {
        if (i + card_ahead < found.size()) __builtin_prefetch(&cards_[found[i + card_ahead]]);
        if (i + address_ahead < found.size()) {
            if (const MatchData* ahead = cards_[found[i + address_ahead]].match) {  // its address first
                __builtin_prefetch(ahead);
                __builtin_prefetch(reinterpret_cast<const char*>(ahead) + 64);
                __builtin_prefetch(reinterpret_cast<const char*>(ahead) + 128);
                __builtin_prefetch(reinterpret_cast<const char*>(ahead) + 192);
            }
        }
        const std::uint32_t e = found[i];
        const MatchCard& card = cards_[e];
        if (card.match == nullptr) continue;
        const Address& ev_address = card.match->address;
        CandidateScore c;
        c.closed = card.closed;
        c.address = address_similarity(address, ev_address);
        c.category = !(category_known && card.category_known) ? unknown_category
                     : card.category == category                ? 1.0
                                                                : 0.0;
        c.hours_apart = std::abs(static_cast<double>(time - card.last_report)) / 3600.0;
        c.recency = p.recency(c.hours_apart);
        if (address.lat && ev_address.lat) {
            c.distance_m = metres_between(*address.lat, *address.lon, *ev_address.lat, *ev_address.lon);
        }
        c.proximity = p.proximity(c.distance_m);
        const bool heard = source < 64 ? (card.sources >> source & 1) != 0 : heard_from(events_[e], source);
        c.channel = heard ? 1.0 : 0.0;
        double as_recurrence = 0.0;  // (computed for open ones too: read for closed ones alone)
        const double cheap = p.cheap_part(features_of(c), as_recurrence, &scratch.cheap_terms);
        scored.push_back(Scoring{std::move(c), e, cheap, as_recurrence});
    }
    shortlist(scored, scratch);
    // Then every feature of the shortlisted ones, each candidate on its own (with an explanation, a
    // batch's idle workers take some: the state is only read until they are done, and each keeps its
    // own weight memo).
    // Without an explanation, only the decision needs the scores: the top score, the best open one at
    // or above the duplicate threshold and the best closed one at or above the recurrence threshold.
    // A candidate whose bound (its cheap features plus the most its texts could add) is below the top
    // score found so far and cannot pass its threshold or beat the best of its kind is left unscored
    // and out of the list; the candidates are taken in the order of their bounds, so that the strong
    // ones come first. The decision is exactly the one of scoring them all.
    const std::size_t n = scored.size();
    std::vector<std::size_t>& order = scratch.order;
    order.resize(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<double>& bound = scratch.bound;
    const bool prune = !with_ids;
    const double total = p.total_weight();
    const MatchParams::TextMaxima maxima = prune ? p.text_maxima() : MatchParams::TextMaxima{};
    if (prune) {
        // The category feature takes three values (same, other, unknown): its bound is computed once each.
        std::array<std::pair<double, double>, 3> bound_of{};
        std::size_t bounds_known = 0;
        const auto text_bound = [&](double category) {
            for (std::size_t k = 0; k < bounds_known; ++k) {
                if (bound_of[k].first == category) return bound_of[k].second;
            }
            const double b = p.text_part_bound(category, maxima);
            if (bounds_known < bound_of.size()) bound_of[bounds_known++] = {category, b};
            return b;
        };
        bound.resize(n);
        for (std::size_t j = 0; j < n; ++j) {
            // A margin for rounding: combine() adds the same terms in another order.
            bound[j] = (scored[j].cheap + text_bound(scored[j].features.category)) / total + 1e-9;
        }
        stable_sort_short(order.begin(), order.end(),
                          [&](std::size_t a, std::size_t b) { return bound[a] > bound[b]; });
    }
    ScoreBounds best;
    std::vector<char>& unscored = scratch.unscored;
    unscored.assign(n, 0);
    // What scoring an event reads first is scattered (its state, then the one buffer of its shingles):
    // the state is fetched two candidates ahead, the buffer one ahead.
    // (A shortlisted candidate has match data: the cheap loop skipped those without.)
    const auto match_of = [&](std::size_t step) -> const MatchData& { return *cards_[scored[order[step]].event].match; };
    // A candidate already known to be left unscored is not fetched: the top score only rises and the
    // order is by bound, so its data would be read for nothing.
    const auto worth_fetching = [&](std::size_t step) {
        return step < n && !(prune && best.needless(bound[order[step]], scored[order[step]].features.closed, p));
    };
    const auto fetch_state = [&](std::size_t step) {
        if (!worth_fetching(step)) return;
        const MatchData& m = match_of(step);
        __builtin_prefetch(&m.said);
    };
    const auto fetch_buffers = [&](std::size_t step) {
        if (!worth_fetching(step)) return;
        const MatchData& m = match_of(step);
        if (const Shingle* said = m.said.data()) {
            // Every line of the buffer (texts, places, vocabulary): the merges read most of it.
            const std::size_t lines = std::min<std::size_t>((m.said.heap_bytes() + 63) / 64, 32);
            for (std::size_t l = 0; l < lines; ++l) __builtin_prefetch(said + 8 * l);
        }
    };
    fetch_state(0);
    fetch_state(1);
    fetch_buffers(0);
    const auto score_one = [&](std::size_t step, std::size_t worker) {
        fetch_state(step + 2);
        fetch_buffers(step + 1);
        const std::size_t j = order[step];
        CandidateScore& c = scored[j].features;
        const double cheap = scored[j].cheap;
        if (prune && best.needless(bound[j], c.closed, p)) {
            unscored[j] = 1;
            return;
        }
        IdfMemo& own = workers_[worker].memo;
        const auto text_weight = [&](std::size_t i) { return text_w[i]; };
        const auto place_weight = [&](std::size_t i) { return place_w[i]; };
        const auto keep = [](std::size_t) { return false; };
        const MatchData& ev = *cards_[scored[j].event].match;
        if (with_ids) c.event_id = event_id_at(scored[j].event);
        // Place first: it carries most of the texts' weight, and once it is known the bound is tighter.
        // (An event of one report keeps no vocabulary: its text and place are all it said.)
        const EventShingles& ev_said = ev.said;
        const bool single = ev_said.vocabulary().empty();
        const ShingleSpan said = single ? ev_said.text(0) : ev_said.vocabulary();
        const ShingleSpan said_too = single ? ev_said.place(0) : ShingleSpan{};
        // While the vocabulary is below its limit, every text and place the event kept is in it, and the
        // place's containment in text(k) ∪ place(k) is at most its containment in the vocabulary, to
        // the last bit (the same weights, summed in the same order): only the latter is computed.
        const bool all_said = single || ev_said.vocabulary().size() < vocabulary_limit;
        const std::size_t ev_texts = ev_said.texts();
        for (std::size_t k = 0; k < ev_texts; ++k) {
            const ShingleSpan ev_place = ev_said.place(k);
            // Reports of one incident often give one address: a place already measured is not again.
            std::size_t first = 0;
            while (first < k && ev_said.place(first) != ev_place) ++first;
            if (first == k) {
                c.place = std::max(c.place, query.contained(ev_place, own.weigh(ev_place)));
            }
            if (!all_said) {
                c.place = std::max(c.place,
                                   weighted_containment_sorted(place, place_weight, keep, ev_place, ev_said.text(k)));
            }
        }
        // (For an event of one report, said ∪ said_too is text(0) ∪ place(0).)
        c.place = std::max(c.place, weighted_containment_sorted(place, place_weight, keep, said, said_too));
        if (prune &&
            best.needless((cheap + p.text_part_bound(c.category, c.place, maxima)) / total + 1e-9,
                          c.closed, p)) {
            unscored[j] = 1;
            return;
        }
        // The text feature says what the problem is: place names on either side are left out.
        for (std::size_t k = 0; k < ev_texts; ++k) {
            const ShingleSpan ev_text = ev_said.text(k);
            const double dice =
                query.dice(ev_text, own.weigh(ev_text), ev_said.place(k), workers_[worker].marks);
            c.text = std::max(c.text, dice);
        }
        // Against everything the event's reports said: a burst of paraphrases covers the next one. By
        // probes, unless the event said much more than the report.
        if (said.size() + said_too.size() <= 2 * query.size()) {
            c.coverage = query.covered(said, said_too, workers_[worker].marks);
        } else {
            const auto own_place = [&](std::size_t i) { return query.text_is_place(i); };
            c.coverage = weighted_containment_sorted(text, text_weight, own_place, said, said_too);
        }
        if (with_wording) {
            // At most wording_code_points code points, of one or two units each (a snapshot is read so).
            std::array<char32_t, 2 * wording_code_points> said_words;
            const std::size_t n =
                ev.wording.size() <= said_words.size() ? utf16::decode(ev.wording, said_words.data()) : 0;
            c.wording = wording->ratio(std::u32string_view(said_words.data(), n));
        }
        c.score = p.combine(cheap, features_of(c));  // cheap is cheap_part(c): the same to the bit
        if (prune) best.add(c.score, c.closed, p);
    };
    scoring_.run(n, score_one);  // with a batch's idle helpers, in an explained batch (see run_batch)
    std::size_t kept = 0;
    for (std::size_t j = 0; j < n; ++j) {
        if (unscored[j]) continue;
        if (kept != j) scored[kept] = std::move(scored[j]);
        ++kept;
    }
    scored.resize(kept);
    // Best first, ties in the scoring order.
    stable_sort_short(scored.begin(), scored.end(),
                      [](const Scoring& a, const Scoring& b) { return a.features.score > b.features.score; });
    std::vector<CandidateScore> out;
    out.reserve(scored.size());
    events.clear();
    events.reserve(scored.size());
    for (Scoring& s : scored) {
        out.push_back(std::move(s.features));
        events.push_back(s.event);
    }
    return out;
}

// Fills components the event's address lacks from a merged report, so that the event's address gets
// more precise (never different) as reports accumulate.
void Engine::merge_address(Address& into, const Address& from) const {
    if (address_similarity(into, from) == 0.0) return;
    for (std::size_t l = 0; l < level_count; ++l) {
        if (into.units[l] == no_unit) into.units[l] = from.units[l];
    }
    if (into.road.empty() && !from.road.empty()) {
        into.road = from.road;
        into.number = from.number;
    } else if (into.road == from.road && into.number.empty()) {
        into.number = from.number;
    }
    for (auto [dst, src] : {std::pair{&into.compound, &from.compound}, std::pair{&into.building, &from.building}}) {
        if (dst->empty()) *dst = *src;
    }
    if (!into.lat && from.lat) {
        into.lat = from.lat;
        into.lon = from.lon;
    }
}

namespace {

// How far a report's coordinates may lie from a unit's centroid for the report to be placed in that unit
// when its address does not name one. Centroids are points, not boundaries: these radii are about the
// size of an urban community, a town and a county of Ningbo, and an integrator with boundaries should
// resolve units before submitting.
double centroid_radius_km(Level level) noexcept {
    switch (level) {
        case Level::community: return 3.0;
        case Level::town: return 15.0;
        case Level::county: return 60.0;
        default: return 0.0;
    }
}

}  // namespace

// Fills the levels the address leaves open, from the county down, with the unit whose centroid is
// nearest to the report's coordinates inside the unit already known above (when the gazetteer has
// centroids). Named units always win over coordinates.
void Engine::place_by_coordinates(Address& address) const {
    for (Level level : {Level::county, Level::town, Level::community}) {
        const std::size_t l = level_index(level);
        if (address.units[l] != no_unit) continue;
        std::int32_t within = no_unit;  // the finest unit already known above this level
        for (std::size_t above = l + 1; above < level_count && within == no_unit; ++above) within = address.units[above];
        const std::int32_t unit = gazetteer_->nearest(*address.lat, *address.lon, level, within, centroid_radius_km(level));
        if (unit == no_unit) continue;
        address.units[l] = unit;
        address.placed_by_coordinates = true;
        for (std::size_t above = l + 1; above < level_count; ++above) {  // and the unit's own ancestors
            if (address.units[above] == no_unit) {
                address.units[above] = gazetteer_->ancestor_at(static_cast<std::uint32_t>(unit), static_cast<Level>(above));
            }
        }
    }
}

namespace {

// How much of a report's text is read for a place: reporters name it near the start (来电人反映X路N号…).
constexpr std::size_t place_text_code_points = 160;

}  // namespace

void Engine::place_from_text(Address& address, std::string_view text) const {
    // Only the head is decoded (a text may hold 64 KiB): at most four bytes a code point, cut back to
    // the start of a character (the text was validated as UTF-8).
    std::size_t bytes = std::min(text.size(), 4 * place_text_code_points);
    while (bytes < text.size() && bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
    std::u32string head = utf8::decode(text.substr(0, bytes));
    if (head.size() > place_text_code_points) head.resize(place_text_code_points);
    const Address said = parse_address_normalised(normalise_address(head));
    for (std::size_t l = 0; l < level_count; ++l) {
        if (address.units[l] != no_unit && said.units[l] != no_unit && address.units[l] != said.units[l]) return;
    }
    if (!said.road.empty() && !said.number.empty() && (address.road.empty() || address.road == said.road)) {
        address.road = said.road;
        address.number = said.number;
    } else if (!said.compound.empty() && !said.building.empty() &&
               (address.compound.empty() || address.compound == said.compound)) {
        address.compound = said.compound;
        address.building = said.building;
    }
}

void Engine::refresh_matching(std::uint32_t event) {
    const EventState& ev = events_[event];
    const MatchParams& p = config_.match;
    // Capped at the span of valid times, so that a huge configured window cannot overflow.
    const double seconds = std::min(ev.closed ? p.recurrence_days * 86400.0 : p.window_hours * 3600.0,
                                    static_cast<double>(latest_time));
    const std::int64_t from = ev.closed ? *ev.closed : ev.last_report;
    expires_.grow_to(event + 1);
    expires_[event] = from + static_cast<std::int64_t>(std::floor(seconds));
    closed_.grow_to(event + 1);
    closed_[event] = ev.closed ? 1 : 0;
    cards_.grow_to(event + 1);
    MatchCard& card = cards_[event];
    // A purged event has no postings, so the lookup cannot find it; a null match also guards
    // against a snapshot that says otherwise.
    card.match = ev.match && ev.match->said.texts() > 0 ? ev.match.get() : nullptr;
    card.last_report = ev.last_report;
    card.sources = 0;
    for (std::size_t k = 0; k < ev.reports.size(); ++k) {
        const std::uint8_t s = report_sources_[ev.reports[k]];
        if (s < 64) card.sources |= std::uint64_t{1} << s;
    }
    card.category = ev.category;
    card.category_known = ev.category_known;
    card.closed = ev.closed.has_value();
}

void Engine::purge_step() {
    // A margin of one window: a report that arrives late (its time before clock_) still finds the
    // events that were candidates at its own time.
    const std::int64_t margin = static_cast<std::int64_t>(std::min(config_.match.window_hours * 3600.0,
                                                                   static_cast<double>(latest_time)));
    // Dead: closed and past its recurrence period; or still open but without a report for a window
    // and a whole recurrence period (abandoned: were it closed now, its recurrence period would
    // already be running out; it is no longer matched, and its history stays).
    const std::int64_t idle = static_cast<std::int64_t>(std::min(config_.match.recurrence_days * 86400.0,
                                                                 static_cast<double>(latest_time)));
    // (From the flat arrays, not the events: the index asks once per posting.)
    const auto dead = [&](std::uint32_t e) { return expires_[e] < clock_ - margin - (closed_[e] ? 0 : idle); };
    using Postings = CandidateIndex::Postings;
    constexpr Postings tables[] = {Postings::address, Postings::text};
    // The slice's share: the whole index and the matchable events once per `purge_interval` new events
    // or a quarter of the matchable events, whichever is more (the live set of the last weeks, in a
    // steady stream), so that a dead event waits about two such spans at most. From the current sizes,
    // so that it keeps up with a growing index; at least 2, so that it outruns a list that every new
    // event adds to; less what earlier slices overspent (a list piece or a list's start).
    const std::size_t matchable = events_.size() - purged_events_;
    std::size_t cost = matchable;
    for (Postings kind : tables) {
        cost += index_.lists(kind) * CandidateIndex::list_cost + index_.entries(kind);
    }
    const std::size_t interval = std::max(purge_interval, matchable / 4);
    // (A slice's unspent budget is not saved up: only what it overspent carries over.)
    purge_.credit = std::min<std::int64_t>(purge_.credit, 0) +
                    static_cast<std::int64_t>(std::max<std::size_t>(2, (cost + interval - 1) / interval));
    CandidateIndex::SweepPosition& at = purge_.at;
    while (purge_.phase < 2) {
        if (purge_.credit <= 0) return;
        purge_.credit -= static_cast<std::int64_t>(
            index_.sweep(tables[purge_.phase], at, static_cast<std::size_t>(purge_.credit), dead));
        if (at.list < at.end) return;  // the budget is spent
        ++purge_.phase;
        at = CandidateIndex::SweepPosition{0, 0, purge_.phase < 2 ? index_.lists(tables[purge_.phase]) : events_.size()};
    }
    auto it = std::lower_bound(matchable_.begin(), matchable_.end(), at.list,
                               [](std::uint32_t e, std::size_t next) { return e < next; });
    std::size_t freed = 0;
    for (; it != matchable_.end() && *it < at.end && purge_.credit > 0 && freed < purge_frees_per_step;
         ++it, --purge_.credit) {
        const std::uint32_t e = *it;
        at.list = std::size_t{e} + 1;
        if (!dead(e)) continue;
        events_[e].match.reset();
        refresh_matching(e);
        ++purged_events_;
        ++freed;
    }
    if (it == matchable_.end() || *it >= at.end) start_purge_pass();
}

void Engine::start_purge_pass() {
    // (In event order, so the events are read front to back: under a millisecond after a month.)
    matchable_.erase(std::remove_if(matchable_.begin(), matchable_.end(), [&](std::uint32_t e) { return !events_[e].match; }),
                     matchable_.end());
    purge_.phase = 0;
    purge_.at = CandidateIndex::SweepPosition{0, 0, index_.lists(CandidateIndex::Postings::address)};
    // (What the last slice overspent still counts against the next.)
}

void Engine::schedule(std::uint32_t event) {
    EventState& ev = events_[event];
    ++ev.deadline_version;
    deadlines_.push(DeadlineEntry{ev.deadline, event, ev.deadline_version});
}

// A merged report can only make its event more urgent: routing rules that now fire (a severity term
// in its text, its channel, the event's report count) raise the level, shorten the deadline, or set
// the lead platform and add co-handlers; nothing is ever lowered.
void Engine::reroute_on_merge(std::uint32_t event_index, const Report& report, const std::vector<TermHit>& hits,
                              Explanation* explanation) {
    EventState& ev = events_[event_index];
    const RouteInput input{ev.category, report.source, static_cast<std::uint32_t>(ev.reports.size()),
                           ev.recurrences, report.time};
    const Routing routing = router_.route(input, hits, ev.match->address);
    const std::string rules = router_.rule_ids(routing);
    const std::uint32_t this_report = static_cast<std::uint32_t>(ev.reports.size() - 1);
    const auto step = [&](StepKind kind) { add_step(ev, report.time, kind, rules, this_report); };
    bool changed = false;
    if (routing.rule_level && *routing.rule_level > ev.level) {
        ev.level = std::max(*routing.rule_level, routing.level);
        ev.unit = routing.unit;
        step(StepKind::raised);
        changed = true;
    }
    if (routing.rule_deadline && *routing.rule_deadline < ev.deadline) {
        ev.deadline = *routing.rule_deadline;
        changed = true;
    }
    if (routing.rule_platform >= 0 && static_cast<std::uint32_t>(routing.rule_platform) != ev.platform) {
        const std::uint32_t previous = ev.platform;
        ev.platform = static_cast<std::uint32_t>(routing.rule_platform);
        ev.co_platforms &= ~(1u << ev.platform);
        ev.co_platforms |= 1u << previous;  // the platform that had it keeps co-handling
        step(StepKind::rerouted);
    }
    for (std::uint32_t p : routing.rule_co_platforms) {
        if (p != ev.platform) ev.co_platforms |= 1u << p;
    }
    if (changed) schedule(event_index);
    if (explanation != nullptr) router_.explain(input, routing, explanation->rules_fired, explanation->rule_reasons);
}

const CompactDecision& Engine::apply(const Report& report, Prepared& prepared, Explanation* explanation) {
    const Address& address = prepared.address;
    const std::uint32_t category = prepared.category;
    // candidates + score
    std::vector<std::uint32_t> candidate_events;
    std::vector<CandidateScore> scored =
        score_candidates(prepared, report.time, source_index(report.source), candidate_events,
                         explanation != nullptr);
    // decide
    const MatchDecision md = decide(scored, config_.match);

    CompactDecision d;
    d.score = scored.empty() ? 0.0 : scored.front().score;
    d.category_confidence = prepared.category_from_hint ? 1.0 : prepared.classification.confidence;
    d.category_from_hint = prepared.category_from_hint;

    std::uint32_t event_index = 0;
    if (md.outcome == Outcome::duplicate) {
        event_index = candidate_events[md.chosen];
        EventState& ev = events_[event_index];
        MatchData& m = *ev.match;
        ev.reports.push_back(add_report(report));
        ev.last_report = std::max(ev.last_report, report.time);
        merge_address(m.address, address);
        m.said.add(prepared.text, prepared.place, vocabulary_limit);
        index_.add_address_keys(event_index, address_keys(m.address, KeyUse::index));
        index_.add_shingles(event_index, prepared.text);
        index_.add_shingles(event_index, prepared.place);
        refresh_matching(event_index);
        add_step(ev, report.time, StepKind::merged, {}, static_cast<std::uint32_t>(ev.reports.size() - 1));
        reroute_on_merge(event_index, report, prepared.hits, explanation);
    } else {
        event_index = static_cast<std::uint32_t>(events_.size());
        EventState ev;
        ev.reports.push_back(add_report(report));
        ev.category = category;
        ev.category_known = prepared.category_known;
        if (md.outcome == Outcome::recurrence) {
            ev.recurrences = events_[candidate_events[md.chosen]].recurrences + 1;
        }
        const RouteInput input{category, report.source, 1, ev.recurrences, report.time};
        const Routing routing = router_.route(input, prepared.hits, address);
        ev.platform = routing.platform;
        for (std::uint32_t p : routing.co_platforms) ev.co_platforms |= 1u << p;
        ev.level = routing.level;
        ev.unit = routing.unit;
        ev.deadline = routing.deadline;
        ev.opened = report.time;
        ev.last_report = report.time;
        ev.match = std::make_unique<MatchData>();
        // A copy, not a move: a copy's strings take what they hold, where moved ones keep the
        // parser's spare capacity (5.4 more bytes an event over 2 days, measured).
        ev.match->address = address;
        ev.match->said = EventShingles(prepared.text, prepared.place);
        ev.match->wording = utf16::encode(std::u32string_view(prepared.wording.data(), prepared.wording.size()));
        if (explanation != nullptr) router_.explain(input, routing, explanation->rules_fired, explanation->rule_reasons);
        if (md.outcome == Outcome::recurrence) {
            const std::uint32_t previous = candidate_events[md.chosen];
            ev.recurrence_of = static_cast<std::int32_t>(previous);
            d.recurrence_of = static_cast<std::int32_t>(previous);
            if (explanation != nullptr) {
                explanation->rules_fired.push_back("match:recurrence");
                explanation->rule_reasons.push_back("same place and problem as " + event_id_at(previous) + ", closed");
            }
        }
        if (md.needs_review) {
            d.needs_review = true;
            d.review_event = static_cast<std::int32_t>(candidate_events[md.review]);
        }
        opened_rule_.assign("category:").append(rules_->category(category).code);  // no string per event
        add_step(ev, report.time, StepKind::opened, opened_rule_, 0);
        events_.push_back(std::move(ev));
        matchable_.push_back(event_index);
        index_.count_document();
        index_.add_address_keys(event_index, address_keys(address, KeyUse::index));
        index_.add_shingles(event_index, prepared.text);
        index_.add_shingles(event_index, prepared.place);
        ++open_events_;
        refresh_matching(event_index);
        schedule(event_index);
        d.is_new = true;
    }
    // record
    clock_ = std::max(clock_, report.time);
    if (d.is_new) purge_step();
    const EventState& ev = events_[event_index];
    d.event = event_index;
    d.deadline = ev.deadline;
    d.category = ev.category;
    d.platform = ev.platform;
    d.co_platforms = ev.co_platforms;
    d.unit = ev.unit;
    d.level = ev.level;
    if (explanation != nullptr) {
        explanation->candidates = std::move(scored);
        explanation->evidence = std::move(prepared.classification.evidence);
        explanation->address = std::move(prepared.address);
    }
    // (add_report numbered the report receipts_.size(): its receipt goes there.)
    return receipts_.emplace_back(Receipt{report_fingerprint(report), d}).decision;
}

std::vector<std::string> Engine::platform_codes(std::uint32_t mask) const {
    std::vector<std::string> codes;
    for (std::uint32_t p = 0; p < 32; ++p) {
        if (mask & (1u << p)) codes.push_back(rules_->platform_code(p));
    }
    return codes;
}

std::uint32_t Engine::add_report(const Report& report) {
    const std::uint32_t number = report_ids_.intern(report.id);
    report_sources_.push_back(source_index(report.source));
    return number;
}

std::uint32_t Engine::find_event(const std::string& event_id) const {
    // "E" and the sequence number in at least eight digits, exactly as event_id_at writes it.
    if (event_id.size() < 9 || event_id.size() > 11 || event_id[0] != 'E') throw UnknownEvent(event_id);
    std::uint64_t sequence = 0;
    for (std::size_t i = 1; i < event_id.size(); ++i) {
        if (event_id[i] < '0' || event_id[i] > '9') throw UnknownEvent(event_id);
        sequence = sequence * 10 + static_cast<std::uint64_t>(event_id[i] - '0');
    }
    if (sequence == 0 || sequence > events_.size() || event_id_at(sequence - 1) != event_id) {
        throw UnknownEvent(event_id);
    }
    return static_cast<std::uint32_t>(sequence - 1);
}

bool Engine::heard_from(const EventState& ev, std::uint8_t source) const {
    for (std::size_t k = 0; k < ev.reports.size(); ++k) {
        if (report_sources_[ev.reports[k]] == source) return true;
    }
    return false;
}

EventView Engine::close(const std::string& event_id, std::int64_t time, const std::string& resolution) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::uint32_t e = check_closing(event_id, time, resolution);
    close_event(e, time, resolution);
    return view(e);
}

std::vector<Closing> Engine::close_many(const std::vector<std::string>& event_ids, const std::vector<std::int64_t>& times,
                                        const std::vector<std::string>& resolutions, bool skip_invalid) {
    const std::size_t n = event_ids.size();
    if (times.size() != n) {
        throw InvalidInput("times", std::to_string(times.size()) + " rows", "expected " + std::to_string(n) + " rows, as event_ids");
    }
    if (resolutions.size() != 1 && resolutions.size() != n) {
        throw InvalidInput("resolutions", std::to_string(resolutions.size()) + " rows",
                           "expected 1 or " + std::to_string(n) + " rows, as event_ids");
    }
    const auto resolution = [&](std::size_t i) -> const std::string& { return resolutions[resolutions.size() == 1 ? 0 : i]; };
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::uint32_t> event(n);
    std::vector<char> valid(n, 1);
    std::unordered_map<std::uint32_t, std::size_t> first_row;
    for (std::size_t i = 0; i < n; ++i) {
        const auto row = [i] { return "[" + std::to_string(i) + "]"; };  // (only for an error)
        try {
            event[i] = check_closing(event_ids[i], times[i], resolution(i));
            const auto [seen, inserted] = first_row.emplace(event[i], i);
            if (!inserted) {
                throw InvalidInput("event_id", excerpt(event_ids[i]),
                                   "the event is already closed (by event_ids[" + std::to_string(seen->second) + "])");
            }
        } catch (const InvalidInput& e) {
            if (skip_invalid) {
                valid[i] = 0;
                continue;
            }
            const std::string& f = e.field();
            const std::string field = f == "event_id"           ? "event_ids" + row()
                                      : f == "time"             ? "times" + row()
                                      : resolutions.size() == 1 ? std::string("resolution")
                                                                : "resolutions" + row();
            throw InvalidInput(field, e.value(), e.problem());
        } catch (const UnknownEvent&) {
            if (skip_invalid) {
                valid[i] = 0;
                continue;
            }
            throw UnknownEvent(event_ids[i], "event_ids" + row());
        }
    }
    // Every row checked against the state before the batch: no event is in two rows, and closing one
    // event changes nothing another's checks read.
    std::vector<Closing> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (!valid[i]) continue;
        close_event(event[i], times[i], resolution(i));
        const EventState& ev = events_[event[i]];
        out[i] = Closing{true, ev.level, gazetteer_->unit(static_cast<std::uint32_t>(ev.unit)).code, ev.deadline};
    }
    return out;
}

std::uint32_t Engine::check_closing(const std::string& event_id, std::int64_t time, const std::string& resolution) const {
    check_utf8("resolution", resolution);
    check_size("resolution", resolution, config_.limits.max_text_bytes);
    if (time < earliest_time || time >= latest_time) {
        throw InvalidInput("time", std::to_string(time), "outside 1970-01-01..2100-01-01 (seconds since the epoch)");
    }
    const std::uint32_t e = find_event(event_id);
    const EventState& ev = events_[e];
    if (ev.closed) throw InvalidInput("event_id", excerpt(event_id), "the event is already closed");
    if (!ev.history.empty() && time < ev.history.back().time) {
        throw InvalidInput("time", std::to_string(time),
                           "before the event's latest step (" + std::to_string(ev.history.back().time) + ")");
    }
    return e;
}

void Engine::close_event(std::uint32_t e, std::int64_t time, const std::string& resolution) {
    EventState& ev = events_[e];
    ev.closed = time;
    ev.resolution = resolutions_.intern(resolution);
    add_step(ev, time, StepKind::closed, {}, no_report);
    // Nothing grows a closed event's lists again (a report of the same incident opens a recurrence).
    ev.history.shrink_to_fit();
    ev.reports.rest.shrink_to_fit();
    --open_events_;
    refresh_matching(e);
}

std::vector<Escalation> Engine::advance(std::int64_t now) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (now < earliest_time || now >= latest_time) {
        throw InvalidInput("now", std::to_string(now), "outside 1970-01-01..2100-01-01 (seconds since the epoch)");
    }
    std::vector<Escalation> out;
    std::vector<std::uint32_t> rescheduled;
    while (!deadlines_.empty() && deadlines_.top().deadline < now) {
        const DeadlineEntry entry = deadlines_.top();
        deadlines_.pop();
        EventState& ev = events_[entry.event];
        if (entry.version != ev.deadline_version || ev.closed || ev.level >= Level::city) continue;
        Escalation esc;
        esc.event_id = event_id_at(entry.event);
        esc.from_level = ev.level;
        esc.to_level = static_cast<Level>(level_index(ev.level) + 1);
        esc.time = now;
        ev.level = esc.to_level;
        ev.unit = router_.unit_for_level(ev.unit, ev.level);
        if (gazetteer_->unit(static_cast<std::uint32_t>(ev.unit)).level > ev.level) {
            ev.level = gazetteer_->unit(static_cast<std::uint32_t>(ev.unit)).level;  // no unit at that level: the city's
            esc.to_level = ev.level;
        }
        ev.deadline = now + hours_to_seconds(rules_->level_hours(ev.level));
        esc.unit_code = gazetteer_->unit(static_cast<std::uint32_t>(ev.unit)).code;
        esc.unit_name = gazetteer_->name_path(static_cast<std::uint32_t>(ev.unit));
        esc.deadline = ev.deadline;
        add_step(ev, now, StepKind::escalated, "escalation:overdue", no_report);
        rescheduled.push_back(entry.event);
        out.push_back(std::move(esc));
    }
    for (std::uint32_t e : rescheduled) schedule(e);
    return out;
}

EventView Engine::view(std::uint32_t e) const {
    const EventState& ev = events_[e];
    EventView v;
    v.id = event_id_at(e);
    for (std::size_t k = 0; k < ev.reports.size(); ++k) {
        v.report_ids.emplace_back(report_ids_[ev.reports[k]]);
        v.sources.push_back(config_.sources[report_sources_[ev.reports[k]]]);
    }
    v.open = !ev.closed.has_value();
    v.category = rules_->category(ev.category).code;
    // The event's own platforms: routing rules may have moved the lead or added co-handlers.
    v.platform = rules_->platform_code(ev.platform);
    v.co_platforms = platform_codes(ev.co_platforms);
    v.level = ev.level;
    v.unit_code = gazetteer_->unit(static_cast<std::uint32_t>(ev.unit)).code;
    v.unit_name = gazetteer_->name_path(static_cast<std::uint32_t>(ev.unit));
    v.opened = ev.opened;
    v.last_report = ev.last_report;
    v.deadline = ev.deadline;
    v.closed = ev.closed;
    v.resolution = resolutions_[ev.resolution];
    if (ev.recurrence_of >= 0) v.recurrence_of = event_id_at(static_cast<std::size_t>(ev.recurrence_of));
    static constexpr const char* kind_names[] = {"opened", "merged", "raised", "rerouted", "escalated", "closed"};
    v.history.reserve(ev.history.size());
    for (const StoredStep& s : ev.history) {
        v.history.push_back(EventStep{s.time, kind_names[static_cast<std::size_t>(s.kind)], s.level,
                                      gazetteer_->unit(static_cast<std::uint32_t>(s.unit)).code, step_rules_[s.rule],
                                      s.report == no_report ? std::string() : v.report_ids[s.report]});
    }
    return v;
}

void Engine::add_step(EventState& ev, std::int64_t time, StepKind kind, std::string_view rule, std::uint32_t report) {
    StoredStep step;
    step.time = time;
    step.unit = ev.unit;
    step.rule = intern_rule(rule);
    step.report = report;
    step.kind = kind;
    step.level = ev.level;
    ev.history.push_back(step);
}

std::uint32_t Engine::intern_rule(std::string_view rule) {
    // Nearly every rule was seen before: looked up through a kept key string first, as emplace would
    // allocate a node (and the key) before finding it there.
    rule_key_.assign(rule);
    const auto found = step_rule_index_.find(rule_key_);
    if (found != step_rule_index_.end()) return found->second;
    const auto id = static_cast<std::uint32_t>(step_rules_.size());
    step_rule_index_.emplace(rule_key_, id);
    step_rules_.push_back(rule_key_);
    return id;
}

std::uint8_t Engine::source_index(const std::string& source) const {
    // validate() has checked the source against the configured ones
    return static_cast<std::uint8_t>(std::find(config_.sources.begin(), config_.sources.end(), source) -
                                     config_.sources.begin());
}

EventView Engine::event(const std::string& event_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return view(find_event(event_id));
}

EngineStats Engine::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return EngineStats{events_.size(), open_events_, receipts_.size(), index_.memory_bytes(), purged_events_};
}

Address Engine::parse_address_normalised(std::u32string_view normalised) const {
    return routing_core::parse_address(*gazetteer_, normalised);
}

Address Engine::parse_address(std::string_view address) const {
    check_size("address", std::string(address), config_.limits.max_address_bytes);
    check_utf8("address", std::string(address));
    return parse_address_normalised(normalise_address(utf8::decode(address)));
}

Classification Engine::classify(std::string_view text, std::string_view channel) const {
    check_size("text", std::string(text), config_.limits.max_text_bytes);
    check_utf8("text", std::string(text));
    return classifier_.classify(normalise_text(utf8::decode(text)), channel);
}

}  // namespace routing_core
