#pragma once
// Working-day calendars and deadline arithmetic, in Asia/Shanghai time (UTC+8 all year: China has had
// no daylight saving time since 1991, so a fixed offset is exact for every date this product handles).
//
// A day is a working day when it is a make-up working day (调休上班), or a Monday to Friday that is not
// an official rest day. Deadlines counted in days end at 24:00 local time of their last day.
#include <chrono>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace petitiond::workflow {

using Instant = std::chrono::sys_seconds;  // a moment, UTC
using Date = std::chrono::sys_days;        // a local (Asia/Shanghai) calendar date

inline constexpr std::chrono::hours shanghai_offset{8};

Date local_date(Instant instant);
// 00:00 local time of `date`, as an instant; the end of `date` is start_of(date + days{1}).
Instant start_of(Date date);
Instant at_local(Date date, std::chrono::minutes time_of_day);
std::string format_local(Instant instant);              // "2026-02-24T17:30:00+08:00"
std::string format_date(Date date);                     // "2026-02-24"
std::optional<Date> parse_date(std::string_view text);  // "2026-02-24"
bool is_weekend(Date date);
// The day a deadline belongs to: one at 24:00 ends the day before ("by 28 February", not "before 1 March").
Date deadline_day(Instant deadline);
// For people, in Chinese: "2026年2月28日", and with the time "2026年2月28日 09:30".
std::string format_date_zh(Date date);
std::string format_time_zh(Instant instant);

// A date, or an inclusive range of dates "2026-10-01..2026-10-07".
struct DayRange {
  Date first, last;
};
std::optional<DayRange> parse_day_range(std::string_view text);

struct WorkingSlot {
  std::chrono::minutes start;  // since local midnight
  std::chrono::minutes end;
};

class Calendar {
 public:
  Calendar() = default;
  Calendar(std::string name, std::set<Date> rest_days, std::set<Date> working_days, std::vector<WorkingSlot> slots);

  const std::string& name() const { return name_; }
  const std::vector<WorkingSlot>& slots() const { return slots_; }
  const std::set<Date>& rest_days() const { return rest_days_; }        // official rest days on weekdays too
  const std::set<Date>& working_days() const { return working_days_; }  // make-up working days (调休上班)
  bool is_working_day(Date date) const;

  // This calendar with `year`'s rest days and make-up working days replaced by these (both in `year`).
  Calendar with_year(int year, const std::set<Date>& rest_days, const std::set<Date>& working_days) const;
  // This calendar over `base`: base's rest and make-up days except where this one states otherwise, plus its
  // own; base's working hours unless it gives its own. A unit's calendar changes only what it states.
  Calendar over(const Calendar& base) const;
  // The last year whose official dates it knows (0: none). Deadlines after it are provisional: the State
  // Council publishes each year's dates in November of the year before.
  int last_published_year() const;
  // Whether a deadline falls past the last published year.
  bool provisional(Instant deadline) const;

  // The end of the day `days` calendar days after `start`'s date (the starting day is not counted),
  // moved to the end of the next working day when it falls on a rest day.
  Instant add_calendar_days(Instant start, int days) const;
  // The end of the `days`-th working day after `start`'s date (the starting day is not counted).
  Instant add_working_days(Instant start, int days) const;
  // The moment `minutes` of working time (inside the working slots of working days) after `start`.
  Instant add_working_minutes(Instant start, long minutes) const;

  // Working days in (from, to]: how far apart two dates are in working days.
  int working_days_between(Date from, Date to) const;
  // Working minutes inside [from, to).
  long working_minutes_between(Instant from, Instant to) const;

 private:
  std::string name_;
  std::set<Date> rest_days_;
  std::set<Date> working_days_;
  std::vector<WorkingSlot> slots_;
};

// How much working time is left before a deadline, or how far past it a petition is, as a handler reads it
// on the worklist: whole working days after today up to the deadline's day ("3 working days left"), and
// the working minutes in between, for when the deadline is today or counted in hours.
struct TimeLeft {
  bool overdue = false;
  int working_days = 0;      // left (or, when overdue, late by), today not counted
  long working_minutes = 0;  // left (or late by), inside the working slots
};
TimeLeft time_left(const Calendar& calendar, Instant now, Instant due);

// Builds a calendar from its YAML files (any order): each names the calendar, and gives a year's
// `rest_days` and `working_days` (dates or "first..last" ranges) and/or the `working_hours` slots
// ("08:30-12:00"). Throws std::invalid_argument naming the file and the problem.
struct CalendarFile {
  std::string name;  // for messages, e.g. "calendars/cn-2026.yaml"
  std::string_view text;
};
Calendar load_calendar(std::span<const CalendarFile> files);

// A year's official dates as an admin gives them in the app: rest days and make-up working days (调休上班),
// each a date or a range. Either the year, or the first problem with the field it is in ("rest_days[2]").
struct CalendarYear {
  int year = 0;
  std::set<Date> rest_days, working_days;
};
struct CalendarYearProblem {
  std::string field;
  std::string message;
};
std::variant<CalendarYear, CalendarYearProblem> read_calendar_year(int year, std::span<const std::string> rest_days,
                                                                   std::span<const std::string> working_days);

}  // namespace petitiond::workflow
