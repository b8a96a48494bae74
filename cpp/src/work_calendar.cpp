#include "routing_core/work_calendar.hpp"

#include <algorithm>
#include <string>

#include "routing_core/error.hpp"

namespace routing_core {
namespace {

constexpr std::int64_t day_seconds = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

void WorkCalendar::set_periods(const std::vector<std::pair<std::int32_t, std::int32_t>>& periods) {
    std::int32_t previous_end = 0;
    for (const auto& [start, end] : periods) {
        if (start < previous_end || start >= end || end > day_seconds) {
            throw ConfigError("calendar.working_hours: periods must lie within the day, ascending, without overlap (" +
                              std::to_string(start) + ".." + std::to_string(end) + " s)");
        }
        previous_end = end;
    }
    periods_ = periods;
}

void WorkCalendar::set_weekdays(const std::vector<std::int32_t>& iso_weekdays) {
    weekdays_.fill(false);
    for (std::int32_t d : iso_weekdays) {
        if (d < 1 || d > 7) throw ConfigError("calendar.weekdays: " + std::to_string(d) + " is not 1 (Monday)..7 (Sunday)");
        weekdays_[static_cast<std::size_t>(d - 1)] = true;
    }
}

bool WorkCalendar::is_working_day(std::int64_t day) const {
    if (workdays_.count(day)) return true;
    if (holidays_.count(day)) return false;
    const std::int64_t iso = ((day % 7 + 7 + 3) % 7);  // 1970-01-01 was a Thursday: index 3, Monday first
    return weekdays_[static_cast<std::size_t>(iso)];
}

std::int64_t WorkCalendar::add_working_seconds(std::int64_t start, std::int64_t seconds) const {
    if (periods_.empty() || seconds <= 0) return start + std::max<std::int64_t>(seconds, 0);
    const std::int64_t local = start + offset_;
    std::int64_t day = floor_div(local, day_seconds);
    std::int64_t at = local - day * day_seconds;  // seconds into the local day
    std::int64_t remaining = seconds;
    for (int searched = 0; searched < 3660; ++searched, ++day, at = 0) {
        if (!is_working_day(day)) continue;
        for (const auto& [begin, end] : periods_) {
            if (at >= end) continue;
            const std::int64_t from = std::max<std::int64_t>(at, begin);
            const std::int64_t available = end - from;
            if (remaining <= available) return day * day_seconds + from + remaining - offset_;
            remaining -= available;
            at = end;
        }
    }
    return start + seconds;
}

}  // namespace routing_core
