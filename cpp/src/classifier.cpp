#include "routing_core/classifier.hpp"

#include <algorithm>

#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

namespace routing_core {

Classifier::Classifier(const RuleSet& rules)
    : rules_(&rules), negation_(rules.classification_negation().cues, rules.classification_negation().window) {
    const auto& terms = rules.terms();
    for (std::uint32_t t = 0; t < terms.size(); ++t) {
        const std::u32string pattern = normalise_text(utf8::decode(terms[t].text));
        if (pattern.empty()) continue;
        const std::uint32_t id = matcher_.add(pattern);
        if (pattern_terms_.size() <= id) pattern_terms_.resize(id + 1);
        pattern_terms_[id].push_back(t);
    }
    matcher_.build();
}

Classification Classifier::classify(std::u32string_view text, std::string_view channel) const {
    std::vector<double> scores(rules_->category_count(), 0.0);
    const std::vector<PatternMatch> matches = matcher_.find_all(text);
    std::vector<std::uint32_t> seen_patterns;
    seen_patterns.reserve(matches.size());
    Classification result;
    result.evidence.reserve(matches.size() + 1);
    const NegationCues::Scan negation = negation_.scan(text);
    for (const PatternMatch& m : matches) {
        // A term counts once however often it occurs: repetition is emphasis, not evidence.
        if (std::find(seen_patterns.begin(), seen_patterns.end(), m.pattern) != seen_patterns.end()) continue;
        if (negation.negated(m.begin)) {
            result.evidence.push_back("¬" + rules_->terms()[pattern_terms_[m.pattern].front()].text);
            continue;
        }
        seen_patterns.push_back(m.pattern);
        for (std::uint32_t t : pattern_terms_[m.pattern]) {
            const Term& term = rules_->terms()[t];
            scores[term.category] += term.weight;
        }
        result.evidence.push_back(rules_->terms()[pattern_terms_[m.pattern].front()].text);
    }
    if (!channel.empty()) {
        for (const ChannelHint& hint : rules_->channel_hints()) {
            if (hint.channel != channel) continue;
            scores[hint.category] += hint.weight;
            result.evidence.push_back("channel:" + hint.channel);
        }
    }
    double total = 0.0;
    std::uint32_t best = rules_->fallback_category();
    double best_score = 0.0;
    for (std::uint32_t c = 0; c < scores.size(); ++c) {
        total += scores[c];
        if (scores[c] > best_score) {
            best_score = scores[c];
            best = c;
        }
    }
    result.category = best;
    result.confidence = total > 0.0 ? best_score / total : 0.0;
    return result;
}

}  // namespace routing_core
