// Working time: the hours of the working day, the working weekdays, public holidays and the weekend days
// made working days (调休). Deadlines of categories that count working time are computed here.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_set>
#include <utility>
#include <vector>

namespace routing_core {

class WorkCalendar {
public:
    // Local time is UTC + `seconds` (the rules' time zone).
    void set_utc_offset(std::int32_t seconds) noexcept { offset_ = seconds; }
    // Working periods of a day as [start, end) seconds after local midnight; throws ConfigError unless they
    // are non-empty, within the day, and ascending without overlap.
    void set_periods(const std::vector<std::pair<std::int32_t, std::int32_t>>& periods);
    // ISO weekdays (1 = Monday .. 7 = Sunday) that are working days unless a holiday.
    void set_weekdays(const std::vector<std::int32_t>& iso_weekdays);
    // Local days (days since 1970-01-01) off, and days on that would otherwise be off.
    void add_holiday(std::int64_t day) { holidays_.insert(day); }
    void add_workday(std::int64_t day) { workdays_.insert(day); }

    bool configured() const noexcept { return !periods_.empty(); }
    bool is_working_day(std::int64_t day) const;
    // The instant at which `seconds` of working time have passed since `start` (epoch seconds). When no
    // working day comes within ten years (a calendar of holidays only), counts calendar time instead.
    std::int64_t add_working_seconds(std::int64_t start, std::int64_t seconds) const;

private:
    std::int32_t offset_ = 0;
    std::vector<std::pair<std::int32_t, std::int32_t>> periods_;
    std::array<bool, 7> weekdays_{true, true, true, true, true, false, false};  // Monday first
    std::unordered_set<std::int64_t> holidays_;
    std::unordered_set<std::int64_t> workdays_;
};

}  // namespace routing_core
