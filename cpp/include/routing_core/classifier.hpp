// Classification: a report's normalised text → a category, by summing the weights of the rule set's
// terms found in one pass over the text (multi-pattern matching).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "routing_core/negation.hpp"
#include "routing_core/pattern_matcher.hpp"
#include "routing_core/rules.hpp"

namespace routing_core {

struct Classification {
    std::uint32_t category = 0;
    double confidence = 0.0;  // winning score's share of all scores; 0 when no term matched (fallback)
    std::vector<std::string> evidence;  // the distinct terms found, in text order
};

class Classifier {
public:
    explicit Classifier(const RuleSet& rules);
    // Never throws for a valid normalised text; returns the fallback category when no term matches.
    // Ties go to the category defined first in the rules.
    // A report's channel adds the rules' channel hints to the scores (evidence "channel:CODE").
    Classification classify(std::u32string_view normalised_text, std::string_view channel = {}) const;

private:
    const RuleSet* rules_;
    PatternMatcher matcher_;
    NegationCues negation_;
    std::vector<std::vector<std::uint32_t>> pattern_terms_;  // pattern id -> indices into rules.terms()
};

}  // namespace routing_core
