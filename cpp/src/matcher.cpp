#include "routing_core/matcher.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "routing_core/error.hpp"

namespace routing_core {

void MatchParams::validate() const {
    const auto check_unit = [](const char* name, double v) {
        if (!(v >= 0.0 && v <= 1.0)) {
            throw ConfigError(std::string("match.") + name + " must lie in [0, 1], got " + number_text(v));
        }
    };
    // Scores are shares of the weights' sum: weights near the largest double summed to infinity, and
    // every score to NaN. Calibrated weights sum to about 1; a million leaves room for any scale.
    const auto w = weights();
    const auto named = curves();
    for (std::size_t f = 0; f < w.size(); ++f) {
        if (!(w[f] >= 0.0 && w[f] <= 1e6)) {
            const std::string feature = std::string(named[f].first).substr(6);  // curve_address: address
            throw ConfigError("match.weight_" + feature + " must be a non-negative number up to 1000000, " +
                              "got " + number_text(w[f]));
        }
    }
    for (const auto& [name, curve] : named) curve->validate(name);
    if (total_weight() <= 0.0) {
        throw ConfigError("match weights are all zero");
    }
    if (!(time_scale_hours > 0.0) || !std::isfinite(time_scale_hours)) {
        throw ConfigError("match.time_scale_hours must be a positive number");
    }
    if (!(proximity_scale_m > 0.0) || !std::isfinite(proximity_scale_m)) {
        throw ConfigError("match.proximity_scale_m must be a positive number, got " +
                          number_text(proximity_scale_m));
    }
    check_unit("duplicate_threshold", duplicate_threshold);
    check_unit("review_threshold", review_threshold);
    check_unit("recurrence_threshold", recurrence_threshold);
    if (review_threshold > duplicate_threshold) {
        throw ConfigError("match.review_threshold must not exceed match.duplicate_threshold");
    }
    if (!(window_hours > 0.0) || !(recurrence_days >= 0.0)) {
        throw ConfigError("match.window_hours must be positive and match.recurrence_days non-negative");
    }
    if (lookup.max_candidates == 0 || lookup.postings_per_key == 0) {
        throw ConfigError("match.max_candidates and match.postings_per_key must be positive");
    }
    // The lookup reserves room for its limits: 2^62 candidates failed the first report (vector::reserve),
    // and a sum of two limits could wrap around to a small number.
    using Limit = std::pair<const char*, std::size_t>;
    for (const auto& [name, limit] : {Limit{"postings_per_key", lookup.postings_per_key},
                                      Limit{"rare_shingles", lookup.rare_shingles},
                                      Limit{"max_candidates", lookup.max_candidates},
                                      Limit{"max_closed", lookup.max_closed},
                                      Limit{"max_scored", lookup.max_scored}}) {
        if (limit > max_lookup_limit) {
            throw ConfigError(std::string("lookup.") + name + " must be at most " +
                              std::to_string(max_lookup_limit) + ", got " + std::to_string(limit));
        }
    }
}

double Curve::operator()(double v) const noexcept {
    if (x.empty()) return std::clamp(v, 0.0, 1.0);
    if (!(v > x.front())) return y.front();  // a NaN too: it lies between no two knots
    if (v >= x.back()) return y.back();
    // The first knot above v (upper_bound's), found by counting the knots at or below it (at least the
    // first, not the last): a curve has a dozen knots, and the count has no branch to mispredict.
    std::size_t k = 0;
    for (const double knot : x) k += knot <= v ? 1 : 0;
    const double t = (v - x[k - 1]) / (x[k] - x[k - 1]);
    return y[k - 1] + t * (y[k] - y[k - 1]);
}

double Curve::max_up_to(double hi) const noexcept {
    double best = std::max((*this)(0.0), (*this)(hi));
    for (std::size_t k = 0; k < x.size() && x[k] < hi; ++k) {
        if (x[k] > 0.0) best = std::max(best, y[k]);
    }
    return best;
}

void Curve::validate(const char* name) const {
    if (x.size() != y.size()) {
        throw ConfigError(std::string("match.") + name + ": x has " + std::to_string(x.size()) + " knots, y " +
                          std::to_string(y.size()));
    }
    for (std::size_t k = 0; k < x.size(); ++k) {
        if (!std::isfinite(x[k]) || (k > 0 && !(x[k] > x[k - 1]))) {
            throw ConfigError(std::string("match.") + name + ": knots must be finite and strictly ascending");
        }
        if (!(y[k] >= 0.0 && y[k] <= 1.0)) {
            throw ConfigError(std::string("match.") + name + ": values must lie in [0, 1], got " +
                              number_text(y[k]));
        }
    }
}

std::array<double, MatchParams::feature_count> MatchParams::weights() const noexcept {
    return {weight_address,          weight_text,      weight_category, weight_time,
            weight_place,            weight_place_category, weight_place_text, weight_coverage,
            weight_address_category, weight_proximity, weight_channel,  weight_wording};
}

std::array<std::pair<const char*, const Curve*>, MatchParams::feature_count> MatchParams::curves()
    const noexcept {
    return {{{"curve_address", &curve_address},
             {"curve_text", &curve_text},
             {"curve_place", &curve_place},
             {"curve_category", &curve_category},
             {"curve_time", &curve_time},
             {"curve_place_category", &curve_place_category},
             {"curve_place_text", &curve_place_text},
             {"curve_coverage", &curve_coverage},
             {"curve_address_category", &curve_address_category},
             {"curve_proximity", &curve_proximity},
             {"curve_channel", &curve_channel},
             {"curve_wording", &curve_wording}}};
}

std::array<double, MatchParams::feature_count> MatchParams::contributions(const Features& f) const noexcept {
    const std::array<std::pair<double, double>, feature_count> terms{{
        {weight_address, curve_address(f.address)},
        {weight_text, curve_text(f.text)},
        {weight_place, curve_place(f.place)},
        {weight_category, curve_category(f.category)},
        {weight_time, curve_time(f.recency)},
        {weight_place_category, curve_place_category(f.place * f.category)},
        {weight_place_text, curve_place_text(f.place * f.text)},
        {weight_coverage, curve_coverage(f.coverage)},
        {weight_address_category, curve_address_category(f.address * f.category)},
        {weight_proximity, curve_proximity(f.proximity)},
        {weight_channel, curve_channel(f.channel)},
        {weight_wording, curve_wording(f.wording)},
    }};
    double total = 0.0;
    for (const auto& term : terms) total += term.first;
    std::array<double, feature_count> out{};
    for (std::size_t i = 0; i < feature_count; ++i) out[i] = terms[i].first / total * terms[i].second;
    return out;
}

double MatchParams::total_weight() const noexcept {
    double total = 0.0;
    for (double w : weights()) total += w;
    return total;
}

double MatchParams::combine(const Features& f) const noexcept { return combine(cheap_part(f), f); }

double MatchParams::combine(double cheap, const Features& f) const noexcept {
    return (cheap + weight_text * curve_text(f.text) + weight_place * curve_place(f.place) +
            weight_place_category * curve_place_category(f.place * f.category) +
            weight_place_text * curve_place_text(f.place * f.text) + weight_coverage * curve_coverage(f.coverage) +
            weight_wording * curve_wording(f.wording)) /
           total_weight();
}

namespace {

// The terms of the cheap part but time's, read once; sum() adds a time term to them in the order of
// the one expression a + c + t + ac + p + ch, left to right, so that every caller rounds alike.
struct CheapTerms {
    double address_and_category;
    double rest[3];  // address · category, proximity, channel

    CheapTerms(const MatchParams& p, const Features& f) noexcept
        : CheapTerms(p, f, address_category_terms(p, f)) {}
    CheapTerms(const MatchParams& p, const Features& f, const AddressCategoryMemo::Terms& t) noexcept
        : address_and_category(t.address_and_category),
          rest{t.address_category, p.weight_proximity * p.curve_proximity(f.proximity),
               p.weight_channel * p.curve_channel(f.channel)} {}

    static AddressCategoryMemo::Terms address_category_terms(const MatchParams& p,
                                                             const Features& f) noexcept {
        return {p.weight_address * p.curve_address(f.address) +
                    p.weight_category * p.curve_category(f.category),
                p.weight_address_category * p.curve_address_category(f.address * f.category)};
    }

    double sum(double time_term) const noexcept {
        double s = address_and_category + time_term;
        for (const double term : rest) s += term;
        return s;
    }
};

}  // namespace

double MatchParams::cheap_part(const Features& f) const noexcept {
    return CheapTerms(*this, f).sum(weight_time * curve_time(f.recency));
}

double MatchParams::cheap_part(const Features& f, double& as_recurrence,
                               AddressCategoryMemo* memo) const noexcept {
    const auto compute = [&] { return CheapTerms::address_category_terms(*this, f); };
    const CheapTerms terms(*this, f, memo != nullptr ? memo->get(f.address, f.category, compute) : compute());
    as_recurrence = terms.sum(weight_time * curve_time(1.0));
    return terms.sum(weight_time * curve_time(f.recency));
}

std::size_t AddressCategoryMemo::slot_of(double address, double category) noexcept {
    std::uint64_t a = 0;
    std::uint64_t c = 0;
    std::memcpy(&a, &address, sizeof a);
    std::memcpy(&c, &category, sizeof c);
    // Fibonacci hashing of each: the values differ in their exponents and mantissas' top bits.
    return static_cast<std::size_t>(((a * 0x9E3779B97F4A7C15ull) ^ (c * 0x9E3779B97F4A7C15ull >> 1)) >> 57);
}

double MatchParams::text_part_bound(double category) const noexcept {
    return text_part_bound(category, text_maxima());
}

double MatchParams::text_part_bound(double category, double place) const noexcept {
    return text_part_bound(category, place, text_maxima());
}

MatchParams::TextMaxima MatchParams::text_maxima() const noexcept {
    return TextMaxima{curve_place.max_up_to(1.0), curve_place_text.max_up_to(1.0), curve_text.max_up_to(1.0),
                      curve_coverage.max_up_to(1.0), curve_wording.max_up_to(1.0)};
}

double MatchParams::text_part_bound(double category, const TextMaxima& m) const noexcept {
    // place · category lies in [0, category] and place · text in [0, 1]: both factors are in [0, 1].
    return weight_place * m.place + weight_place_category * curve_place_category.max_up_to(category) +
           weight_place_text * m.place_text + weight_text * m.text + weight_coverage * m.coverage +
           weight_wording * m.wording;
}

double MatchParams::text_part_bound(double category, double place, const TextMaxima& m) const noexcept {
    return weight_place * curve_place(place) + weight_place_category * curve_place_category(place * category) +
           weight_place_text * curve_place_text.max_up_to(place) + weight_text * m.text +
           weight_coverage * m.coverage + weight_wording * m.wording;
}

double MatchParams::recency(double hours_apart) const noexcept { return std::exp(-hours_apart / time_scale_hours); }

double MatchParams::proximity(double metres) const noexcept {
    return metres < 0.0 ? 0.0 : 0.5 + 0.5 / (1.0 + metres / proximity_scale_m);
}

MatchDecision decide(const std::vector<CandidateScore>& scored, const MatchParams& params) noexcept {
    MatchDecision d;
    const double lowest = std::min(params.duplicate_threshold, params.recurrence_threshold);
    for (std::size_t i = 0; i < scored.size(); ++i) {
        if (scored[i].score < lowest) break;
        if (!scored[i].closed) {
            if (scored[i].score < params.duplicate_threshold) continue;
            d.outcome = Outcome::duplicate;
            d.chosen = i;
            return d;
        }
        if (d.outcome == Outcome::new_event && scored[i].score >= params.recurrence_threshold) {
            d.outcome = Outcome::recurrence;
            d.chosen = i;
        }
    }
    if (d.outcome == Outcome::new_event && !scored.empty() && scored.front().score >= params.review_threshold) {
        d.needs_review = true;
        d.review = 0;
    }
    return d;
}

}  // namespace routing_core
