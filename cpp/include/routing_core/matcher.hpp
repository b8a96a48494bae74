// Scoring and deciding: a report's features against candidate events → match score per candidate and
// the decision (duplicate, recurrence, review, new). The weights and thresholds are data (the match
// parameters file), not code.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "routing_core/candidate_index.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

// A monotone-or-not piecewise-linear map of a feature value to [0, 1], given by knots (x ascending,
// y in [0, 1]); constant beyond the end knots. No knots: the identity (clamped to [0, 1]). Calibration
// fits these curves so that a feature's evidence need not be linear in its raw value (an address
// similarity of 0.1, "other road", is evidence against a match, not a small one for it).
struct Curve {
    std::vector<double> x;
    std::vector<double> y;
    double operator()(double v) const noexcept;
    // The curve's largest value on [0, hi] (hi in [0, 1]): at an end or at a knot between.
    double max_up_to(double hi) const noexcept;
    // Throws ConfigError naming `name` when the knots are not ascending, not finite, or y is outside [0, 1].
    void validate(const char* name) const;
};

// The features of a report against a candidate event, each in [0, 1].
struct Features {
    double address = 0.0;
    double text = 0.0;
    double place = 0.0;
    double coverage = 0.0;
    double category = 0.0;
    double recency = 0.0;
    double proximity = 0.0;  // MatchParams::proximity of the distance; 0 when either side has no position
    double channel = 0.0;    // 1 when the event already has a report from the report's channel
    double wording = 0.0;    // Indel ratio of the two wordings (the order of the words)
};

// cheap_part()'s terms of the address and category features (address, category, and address ·
// category), which depend on those two values alone. Each takes a few values (the address ladder's
// rungs; the same, another or an unknown category), so the candidates of a stream share a few dozen
// pairs at most: the memo keeps each pair's terms, and cheap_part() reads them instead of three
// curves. The same values, so the same sums to the bit. One memo serves one MatchParams (it does not
// know which).
class AddressCategoryMemo {
public:
    struct Terms {
        // weight_address · curve_address(address) + weight_category · curve_category(category)
        double address_and_category = 0.0;
        // weight_address_category · curve_address_category(address · category)
        double address_category = 0.0;
    };
    // The pair's terms: kept ones, or compute()'s, then kept (in a free slot of the pair's few, or in
    // place of the first).
    template <typename Compute>
    Terms get(double address, double category, const Compute& compute) {
        const std::size_t home = slot_of(address, category);
        Entry* into = &entries_[home];
        for (std::size_t probe = 0; probe < probes; ++probe) {
            Entry& e = entries_[(home + probe) % entries_.size()];
            if (!e.known) {
                into = &e;
                break;
            }
            if (e.address == address && e.category == category) return e.terms;
        }
        *into = Entry{address, category, compute(), true};
        return into->terms;
    }

private:
    struct Entry {
        double address = 0.0;
        double category = 0.0;
        Terms terms;
        bool known = false;
    };
    static constexpr std::size_t probes = 4;
    static std::size_t slot_of(double address, double category) noexcept;
    std::array<Entry, 128> entries_{};
};

// The defaults serve an engine built without a match parameters file (C++ tests, embedders); the
// package always loads the calibrated src/routing_core/data/match.toml, which sets every weight.
struct MatchParams {
    double weight_address = 0.5;
    double weight_text = 0.3;
    double weight_category = 0.1;
    double weight_time = 0.0;
    double weight_place = 0.1;
    // Interactions: the same place AND the same problem is far stronger evidence than either alone
    // (a second problem at the same door is a different incident).
    double weight_place_category = 0.0;  // feature: place · category
    double weight_place_text = 0.0;      // feature: place · text
    double weight_address_category = 0.0;  // feature: address · category (the same address AND problem)
    double weight_coverage = 0.0;
    double weight_proximity = 0.0;  // the GPS positions' distance, when both sides have one
    double weight_channel = 0.0;    // the event already has a report from the same channel
    double weight_wording = 0.0;    // the Indel (LCS) ratio of the wordings
    Curve curve_address;
    Curve curve_text;
    Curve curve_place;
    Curve curve_category;
    Curve curve_time;
    Curve curve_place_category;
    Curve curve_place_text;
    Curve curve_address_category;
    Curve curve_coverage;
    Curve curve_proximity;
    Curve curve_channel;
    Curve curve_wording;
    double time_scale_hours = 12.0;    // recency = exp(-hours apart / time_scale_hours)
    // proximity = 0.5 + 0.5 / (1 + metres apart / proximity_scale_m): 1 at the same spot, 0.75 at the
    // scale, towards 0.5 far away; 0 (below every distance) when a position is missing.
    double proximity_scale_m = 100.0;
    double duplicate_threshold = 0.6;  // at or above: the same incident
    double review_threshold = 0.5;     // at or above (and below duplicate): flag for a human
    // A closed event at or above this: a recurrence. Same place and problem days later is weaker
    // evidence of one problem than the same minutes apart, so calibration may ask for more.
    double recurrence_threshold = 0.6;
    double window_hours = 72.0;        // an open event is a candidate while its last report is this recent
    double recurrence_days = 30.0;     // a closed event is a candidate for recurrence this long after closing
    LookupLimits lookup;

    // Throws ConfigError when weights are negative or all zero, or thresholds are outside [0, 1] or
    // review > duplicate.
    void validate() const;
    // Σ weight_f · curve_f(feature_f) / Σ weight_f, in [0, 1]. Each term is the feature's contribution.
    double combine(const Features& f) const noexcept;
    // The same, given cheap_part(f) computed before: equal to combine(f) to the bit.
    double combine(double cheap, const Features& f) const noexcept;
    // The part of combine() that needs no text: address, category, time, position and channel (to
    // rank candidates before the text features are computed).
    double cheap_part(const Features& f) const noexcept;
    // The same, and in `as_recurrence` the cheap part of f with recency 1 (a closed event's, as a
    // recurrence: it was closed days ago). The curves are read once for both; each sum adds the
    // same terms in the same order as cheap_part(), so each equals it to the bit. With `memo` (which
    // must serve this MatchParams alone), the address and category terms come from it: what the
    // engine computes for every candidate.
    double cheap_part(const Features& f, double& as_recurrence,
                      AddressCategoryMemo* memo = nullptr) const noexcept;
    // The most the other terms of combine() (text, place, their interactions, coverage, wording) can
    // add to cheap_part() for a candidate of this category agreement, whatever the texts: so that
    // (cheap_part + text_part_bound) / total_weight bounds the candidate's score before its texts are
    // read. The second form knows the place feature already (the terms left are text's).
    double text_part_bound(double category) const noexcept;
    double text_part_bound(double category, double place) const noexcept;
    // What those bounds read that no candidate changes: each text-side curve's largest value on [0, 1]
    // (the engine takes them once a report, not a few times a candidate; the forms above take them
    // on each call).
    struct TextMaxima {
        double place = 0.0;
        double place_text = 0.0;
        double text = 0.0;
        double coverage = 0.0;
        double wording = 0.0;
    };
    TextMaxima text_maxima() const noexcept;
    double text_part_bound(double category, const TextMaxima& m) const noexcept;
    double text_part_bound(double category, double place, const TextMaxima& m) const noexcept;
    double recency(double hours_apart) const noexcept;
    // The proximity feature of a distance in metres; a negative distance means unknown.
    double proximity(double metres) const noexcept;
    double total_weight() const noexcept;
    // Every feature's weight, and its curve with the curve's name, in one order: what validate(), the
    // total and the configuration fingerprint go through (a new feature is one entry in each).
    static constexpr std::size_t feature_count = 12;
    std::array<double, feature_count> weights() const noexcept;
    std::array<std::pair<const char*, const Curve*>, feature_count> curves() const noexcept;
    // Each feature's share of combine(f), in an explanation's order (address, text, place, category,
    // time, place · category, place · text, coverage, address · category, proximity, channel,
    // wording): weight_f / Σ weight_f · curve_f(feature_f), the weights summed in that order. They add
    // up to combine(f) but for rounding. Python's match_params.Contributions.reference is the twin
    // that gives the same values to the bit.
    std::array<double, feature_count> contributions(const Features& f) const noexcept;
};

// A scored candidate's features, as combine() takes them.
inline Features features_of(const CandidateScore& c) noexcept {
    return Features{c.address,  c.text,      c.place,   c.coverage, c.category,
                    c.recency,  c.proximity, c.channel, c.wording};
}

enum class Outcome { new_event, duplicate, recurrence };

struct MatchDecision {
    Outcome outcome = Outcome::new_event;
    std::size_t chosen = 0;   // index into the scored candidates for duplicate / recurrence
    bool needs_review = false;
    std::size_t review = 0;   // index into the scored candidates when needs_review
};

// `scored` must be sorted best first. An open candidate at or above the duplicate threshold wins over
// a closed one at or above the recurrence threshold; a closed one alone makes a recurrence.
MatchDecision decide(const std::vector<CandidateScore>& scored, const MatchParams& params) noexcept;

// The scores decide() reads, gathered while the candidates are scored (by several threads at once):
// the top score, the best open one at or above the duplicate threshold and the best closed one at or
// above the recurrence threshold.
class ScoreBounds {
public:
    void add(double score, bool closed, const MatchParams& params) noexcept {
        raise(top_, score);
        if (closed ? score >= params.recurrence_threshold : score >= params.duplicate_threshold) {
            raise(closed ? closed_ : open_, score);
        }
    }
    // Whether a candidate whose score is at most `bound` can change neither decide()'s result nor the
    // top score: it is below the top, and below its kind's threshold or the best of its kind. (Ties are
    // kept: `bound` must be strictly below.)
    bool needless(double bound, bool closed, const MatchParams& params) const noexcept {
        if (!(bound < top_.load(std::memory_order_relaxed))) return false;
        if (closed) return bound < params.recurrence_threshold || bound < closed_.load(std::memory_order_relaxed);
        return bound < params.duplicate_threshold || bound < open_.load(std::memory_order_relaxed);
    }

private:
    static void raise(std::atomic<double>& best, double score) noexcept {
        double seen = best.load(std::memory_order_relaxed);
        while (score > seen && !best.compare_exchange_weak(seen, score, std::memory_order_relaxed)) {
        }
    }
    std::atomic<double> top_{-std::numeric_limits<double>::infinity()};
    std::atomic<double> open_{-std::numeric_limits<double>::infinity()};
    std::atomic<double> closed_{-std::numeric_limits<double>::infinity()};
};

}  // namespace routing_core
