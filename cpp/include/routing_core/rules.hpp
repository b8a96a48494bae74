// The routing rules as tables: platforms, categories (lead platform, co-handlers, default level,
// deadline, classification terms), severity rules, and the hours an event may stay at each level.
// Loaded from the rules file by the Python layer; immutable once an Engine holds it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "routing_core/types.hpp"

namespace routing_core {

struct CategoryRule {
    std::string code;
    std::string label;
    std::uint32_t platform = 0;
    std::vector<std::uint32_t> co_platforms;
    Level level = Level::town;
    double deadline_hours = 72.0;
};

struct Term {
    std::string text;
    std::uint32_t category = 0;
    double weight = 1.0;
};

// Terms that raise the handling level to at least `min_level` and cap the deadline.
struct SeverityRule {
    std::string id;
    std::vector<std::string> terms;
    Level min_level = Level::town;
    double deadline_hours = 24.0;
};

class RuleSet {
public:
    // Each add_* throws ConfigError naming the entry when it is inconsistent (duplicate code, unknown
    // platform or category, non-positive hours or weight, a level outside grid..city).
    std::uint32_t add_platform(const std::string& code, const std::string& label);
    std::uint32_t add_category(const std::string& code, const std::string& label, const std::string& platform,
                               const std::vector<std::string>& co_platforms, Level level, double deadline_hours);
    void add_term(const std::string& category, const std::string& term, double weight);
    void add_severity(const std::string& id, const std::vector<std::string>& terms, Level min_level,
                      double deadline_hours);
    void set_level_hours(Level level, double hours);
    void set_fallback_category(const std::string& code);
    // Checks completeness (a category, a fallback, hours for every level); throws ConfigError.
    void validate() const;

    std::int32_t find_category(const std::string& code) const noexcept;
    std::int32_t find_platform(const std::string& code) const noexcept;
    const CategoryRule& category(std::uint32_t index) const { return categories_.at(index); }
    const std::string& platform_code(std::uint32_t index) const { return platforms_.at(index).first; }
    std::size_t category_count() const noexcept { return categories_.size(); }
    const std::vector<Term>& terms() const noexcept { return terms_; }
    const std::vector<SeverityRule>& severities() const noexcept { return severities_; }
    double level_hours(Level level) const { return level_hours_.at(level_index(level)); }
    std::uint32_t fallback_category() const noexcept { return fallback_; }

private:
    std::vector<std::pair<std::string, std::string>> platforms_;
    std::vector<CategoryRule> categories_;
    std::vector<Term> terms_;
    std::vector<SeverityRule> severities_;
    std::array<double, level_count> level_hours_{0, 0, 0, 0, 0, 0};
    std::uint32_t fallback_ = 0;
    bool fallback_set_ = false;
};

}  // namespace routing_core
