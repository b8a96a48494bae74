#include "routing_core/work_calendar.hpp"

#include <gtest/gtest.h>

#include "routing_core/error.hpp"

namespace routing_core {
namespace {

constexpr std::int32_t beijing = 8 * 3600;

// Epoch seconds of a Beijing local time, and the local day number of a date (checked against Python's
// datetime: date(2026, 9, 18) - date(1970, 1, 1) = 20714 days).
std::int64_t day_of(int y, int m, int d) {
    // days_from_civil (Howard Hinnant's algorithm).
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
std::int64_t at(int y, int m, int d, int hh, int mm) { return day_of(y, m, d) * 86400 + hh * 3600 + mm * 60 - beijing; }

WorkCalendar ningbo_2026_autumn() {
    WorkCalendar c;
    c.set_utc_offset(beijing);
    c.set_periods({{8 * 3600 + 1800, 12 * 3600}, {13 * 3600 + 1800, 17 * 3600 + 1800}});  // 08:30-12:00, 13:30-17:30
    c.set_weekdays({1, 2, 3, 4, 5});
    for (int d = 1; d <= 7; ++d) c.add_holiday(day_of(2026, 10, d));  // 国庆 10/1-10/7
    c.add_workday(day_of(2026, 9, 20));   // 调休: Sunday 9/20 is worked
    c.add_workday(day_of(2026, 10, 10));  // and Saturday 10/10
    return c;
}

TEST(WorkCalendar, DayNumbersAndWeekdays) {
    EXPECT_EQ(day_of(2026, 9, 18), 20714);
    const WorkCalendar c = ningbo_2026_autumn();
    EXPECT_TRUE(c.is_working_day(day_of(2026, 9, 18)));    // Friday
    EXPECT_FALSE(c.is_working_day(day_of(2026, 9, 19)));   // Saturday
    EXPECT_TRUE(c.is_working_day(day_of(2026, 9, 20)));    // Sunday, 调休
    EXPECT_FALSE(c.is_working_day(day_of(2026, 10, 1)));   // 国庆
    EXPECT_TRUE(c.is_working_day(day_of(2026, 10, 10)));   // Saturday, 调休
}

TEST(WorkCalendar, CountsOnlyWorkingTime) {
    const WorkCalendar c = ningbo_2026_autumn();
    // Friday 9/18 16:00 + 8 h: 1.5 h that Friday, Saturday off, Sunday 9/20 is worked: 3.5 h in the
    // morning (5 h), 3 h from 13:30 -> 16:30.
    EXPECT_EQ(c.add_working_seconds(at(2026, 9, 18, 16, 0), 8 * 3600), at(2026, 9, 20, 16, 30));
    // Wednesday 9/30 17:00 + 4 h: 0.5 h, then the 国庆 week off, Thursday 10/8 08:30 + 3.5 h = 12:00.
    EXPECT_EQ(c.add_working_seconds(at(2026, 9, 30, 17, 0), 4 * 3600), at(2026, 10, 8, 12, 0));
    // Lunch break and a start before office hours.
    EXPECT_EQ(c.add_working_seconds(at(2026, 9, 21, 11, 0), 2 * 3600), at(2026, 9, 21, 14, 30));
    EXPECT_EQ(c.add_working_seconds(at(2026, 9, 21, 6, 0), 3600), at(2026, 9, 21, 9, 30));
    // Ends exactly at the end of a period.
    EXPECT_EQ(c.add_working_seconds(at(2026, 9, 21, 8, 30), 3 * 3600 + 1800), at(2026, 9, 21, 12, 0));
}

TEST(WorkCalendar, RejectsBadPeriodsAndWeekdays) {
    WorkCalendar c;
    EXPECT_THROW(c.set_periods({{9 * 3600, 8 * 3600}}), ConfigError);
    EXPECT_THROW(c.set_periods({{8 * 3600, 12 * 3600}, {11 * 3600, 13 * 3600}}), ConfigError);
    EXPECT_THROW(c.set_periods({{8 * 3600, 25 * 3600}}), ConfigError);
    EXPECT_THROW(c.set_weekdays({0}), ConfigError);
    EXPECT_FALSE(c.configured());
    EXPECT_EQ(c.add_working_seconds(1000, 60), 1060);  // no calendar: calendar time
}

}  // namespace
}  // namespace routing_core
