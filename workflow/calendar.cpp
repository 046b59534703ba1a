#include "workflow/calendar.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace petitiond::workflow {

using namespace std::chrono;

namespace {

// A deadline further away than this means a calendar without working days: refuse, do not loop.
constexpr int max_days_searched = 3 * 366;

int parse_number(std::string_view text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return -1;
  return value;
}

std::optional<minutes> parse_time(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int h = parse_number(text.substr(0, 2)), m = parse_number(text.substr(3, 2));
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return hours(h) + minutes(m);
}

}  // namespace

Date deadline_day(Instant deadline) { return local_date(deadline - std::chrono::seconds(1)); }

std::string format_date_zh(Date date) {
  const std::chrono::year_month_day day{date};
  return std::to_string(static_cast<int>(day.year())) + "年" + std::to_string(static_cast<unsigned>(day.month())) +
         "月" + std::to_string(static_cast<unsigned>(day.day())) + "日";
}

std::string format_time_zh(Instant instant) {
  const auto local = instant + shanghai_offset;
  const auto minutes_of_day =
      std::chrono::duration_cast<std::chrono::minutes>(local - std::chrono::floor<std::chrono::days>(local)).count();
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(minutes_of_day / 60),
                static_cast<int>(minutes_of_day % 60));
  return format_date_zh(local_date(instant)) + " " + time;
}

bool is_weekend(Date date) {
  weekday day{date};
  return day == Saturday || day == Sunday;
}

std::optional<DayRange> parse_day_range(std::string_view text) {
  const auto dots = text.find("..");
  auto first = parse_date(text.substr(0, dots));
  auto last = dots == std::string_view::npos ? first : parse_date(text.substr(dots + 2));
  if (!first || !last || *last < *first) return std::nullopt;
  return DayRange{*first, *last};
}

Date local_date(Instant instant) { return floor<days>(instant + shanghai_offset); }
Instant start_of(Date date) { return Instant(date) - shanghai_offset; }
Instant at_local(Date date, minutes time_of_day) { return start_of(date) + time_of_day; }

std::string format_date(Date date) {
  const year_month_day ymd{date};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return text;
}

std::string format_local(Instant instant) {
  auto local = instant + shanghai_offset;
  Date date = floor<days>(local);
  year_month_day ymd{date};
  hh_mm_ss time{local - date};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02ld+08:00", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()));
  return buffer;
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = parse_number(text.substr(0, 4)), m = parse_number(text.substr(5, 2)), d = parse_number(text.substr(8, 2));
  if (y < 1900 || m < 1 || d < 1) return std::nullopt;
  year_month_day ymd{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return Date(ymd);
}

Calendar::Calendar(std::string name, std::set<Date> rest_days, std::set<Date> working_days,
                   std::vector<WorkingSlot> slots)
    : name_(std::move(name)),
      rest_days_(std::move(rest_days)),
      working_days_(std::move(working_days)),
      slots_(std::move(slots)) {}

Calendar Calendar::with_year(int year, const std::set<Date>& rest_days, const std::set<Date>& working_days) const {
  auto in_year = [year](Date d) { return year_month_day{d}.year() == std::chrono::year{year}; };
  Calendar changed = *this;
  std::erase_if(changed.rest_days_, in_year);
  std::erase_if(changed.working_days_, in_year);
  changed.rest_days_.insert(rest_days.begin(), rest_days.end());
  changed.working_days_.insert(working_days.begin(), working_days.end());
  return changed;
}

Calendar Calendar::over(const Calendar& base) const {
  Calendar merged = *this;
  for (auto day : base.rest_days_)
    if (!working_days_.count(day)) merged.rest_days_.insert(day);
  for (auto day : base.working_days_)
    if (!rest_days_.count(day)) merged.working_days_.insert(day);
  if (merged.slots_.empty()) merged.slots_ = base.slots_;
  return merged;
}

int Calendar::last_published_year() const {
  int last = 0;
  for (const auto* days : {&rest_days_, &working_days_})
    if (!days->empty()) last = std::max(last, static_cast<int>(year_month_day{*days->rbegin()}.year()));
  return last;
}

bool Calendar::provisional(Instant deadline) const {
  return static_cast<int>(year_month_day{deadline_day(deadline)}.year()) > last_published_year();
}

bool Calendar::is_working_day(Date date) const {
  if (working_days_.count(date)) return true;
  return !is_weekend(date) && !rest_days_.count(date);
}

Instant Calendar::add_calendar_days(Instant start, int count) const {
  Date date = local_date(start) + days(count);
  for (int i = 0; !is_working_day(date); ++i, date += days(1))
    if (i > max_days_searched)
      throw std::runtime_error("calendar " + name_ + " has no working day to end a deadline on");
  return start_of(date + days(1));
}

Instant Calendar::add_working_days(Instant start, int count) const {
  Date date = local_date(start);
  for (int found = 0, i = 0; found < count; ++i) {
    if (i > max_days_searched * (count / 200 + 1))
      throw std::runtime_error("calendar " + name_ + " has too few working days for this deadline");
    date += days(1);
    if (is_working_day(date)) ++found;
  }
  return start_of(date + days(1));
}

Instant Calendar::add_working_minutes(Instant start, long count) const {
  if (slots_.empty()) throw std::runtime_error("calendar " + name_ + " has no working hours");
  Date date = local_date(start);
  auto now = duration_cast<minutes>(ceil<minutes>(start - start_of(date)));
  minutes left(count);
  for (int i = 0; i <= max_days_searched * (count / (60 * 24 * 100) + 1); ++i, date += days(1), now = minutes(0)) {
    if (!is_working_day(date)) continue;
    for (const auto& slot : slots_) {
      auto from = std::max(slot.start, now);
      if (from >= slot.end) continue;
      if (left <= slot.end - from) return at_local(date, from + left);
      left -= slot.end - from;
    }
  }
  throw std::runtime_error("calendar " + name_ + " has too few working hours for this deadline");
}

// Both by arithmetic on whole weeks and a look at the official dates in the range, not day by day: a
// petition overdue for years is on the worklist too.
int Calendar::working_days_between(Date from, Date to) const {
  if (to <= from) return 0;
  const int span = (to - from).count();
  int count = span / 7 * 5;  // whole weeks
  for (Date date = from + days(span / 7 * 7 + 1); date <= to; date += days(1)) count += !is_weekend(date);
  // A weekday rest day (not also a make-up day) is one fewer; a make-up weekend day one more.
  for (auto it = rest_days_.upper_bound(from); it != rest_days_.end() && *it <= to; ++it)
    count -= !is_weekend(*it) && !working_days_.count(*it);
  for (auto it = working_days_.upper_bound(from); it != working_days_.end() && *it <= to; ++it)
    count += is_weekend(*it);
  return count;
}

long Calendar::working_minutes_between(Instant from, Instant to) const {
  if (to <= from) return 0;
  auto within = [this](Date date, Instant begin, Instant end) {
    long total = 0;
    if (!is_working_day(date)) return total;
    for (const auto& slot : slots_) {
      auto a = std::max(at_local(date, slot.start), begin), b = std::min(at_local(date, slot.end), end);
      if (b > a) total += duration_cast<minutes>(b - a).count();
    }
    return total;
  };
  const Date first = local_date(from), last = local_date(to);
  if (first == last) return within(first, from, to);
  long day_minutes = 0;
  for (const auto& slot : slots_) day_minutes += (slot.end - slot.start).count();
  return within(first, from, start_of(first + days(1))) +
         static_cast<long>(working_days_between(first, last - days(1))) * day_minutes +
         within(last, start_of(last), to);
}

TimeLeft time_left(const Calendar& calendar, Instant now, Instant due) {
  // A deadline at 24:00 belongs to the day it ends, not to the next day's first second.
  auto day_of = [](Instant instant) { return local_date(instant - seconds(1)); };
  if (due > now)
    return {false, calendar.working_days_between(local_date(now), day_of(due)),
            calendar.working_minutes_between(now, due)};
  return {true, calendar.working_days_between(day_of(due), local_date(now)),
          calendar.working_minutes_between(due, now)};
}

Calendar load_calendar(std::span<const CalendarFile> files) {
  std::string name;
  std::set<Date> rest, working;
  std::vector<WorkingSlot> slots;
  for (const auto& file : files) {
    auto fail = [&](const std::string& what) { throw std::invalid_argument(file.name + ": " + what); };
    YAML::Node root;
    try {
      root = YAML::Load(std::string(file.text));
    } catch (const YAML::Exception& e) {
      fail("not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + e.msg);
    }
    if (!root.IsMap() || !root["calendar"]) fail("names no calendar");
    auto this_name = root["calendar"].as<std::string>();
    if (!name.empty() && this_name != name) fail("belongs to calendar " + this_name + ", not " + name);
    name = this_name;
    std::optional<int> file_year;
    if (root["year"]) file_year = root["year"].as<int>();
    auto read_dates = [&](const char* key, std::set<Date>& into) {
      if (!root[key]) return;
      for (const auto& item : root[key]) {
        auto text = item.as<std::string>();
        auto line = std::to_string(item.Mark().line + 1);
        auto range = parse_day_range(text);
        if (!range) fail("line " + line + ": '" + text + "' is not a date or a date range");
        for (Date d = range->first; d <= range->last; d += days(1)) {
          if (file_year && year_month_day(d).year() != year(*file_year))
            fail("line " + line + ": " + text + " is not in " + std::to_string(*file_year));
          into.insert(d);
        }
      }
    };
    read_dates("rest_days", rest);
    read_dates("working_days", working);
    if (root["working_hours"]) {
      if (!slots.empty()) fail("gives working hours a second time");
      for (const auto& item : root["working_hours"]) {
        auto text = item.as<std::string>();
        auto dash = text.find('-');
        auto start = parse_time(text.substr(0, dash)),
             end = dash == std::string::npos ? std::nullopt : parse_time(text.substr(dash + 1));
        if (!start || !end || *end <= *start || (!slots.empty() && *start < slots.back().end))
          fail("working hours '" + text + "' must be HH:MM-HH:MM, in order, not overlapping");
        slots.push_back({*start, *end});
      }
    }
  }
  for (auto d : working)
    if (rest.count(d)) throw std::invalid_argument("calendar " + name + ": a day is both a rest day and a working day");
  if (name.empty()) throw std::invalid_argument("no calendar files");
  return Calendar(name, std::move(rest), std::move(working), std::move(slots));
}

std::variant<CalendarYear, CalendarYearProblem> read_calendar_year(int year, std::span<const std::string> rest_days,
                                                                   std::span<const std::string> working_days) {
  if (year < 2000 || year > 2100) return CalendarYearProblem{"year", "must be a year from 2000 to 2100"};
  CalendarYear out{year, {}, {}};
  auto read = [&](const char* key, std::span<const std::string> items,
                  std::set<Date>& into) -> std::optional<CalendarYearProblem> {
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto field = std::string(key) + "[" + std::to_string(i) + "]";
      auto range = parse_day_range(items[i]);
      if (!range)
        return CalendarYearProblem{field,
                                   "'" + items[i] + "' is not a date (YYYY-MM-DD) or a range of dates (first..last)"};
      for (Date d = range->first; d <= range->last; d += days(1)) {
        if (year_month_day{d}.year() != std::chrono::year{year})
          return CalendarYearProblem{field, items[i] + " is not in " + std::to_string(year)};
        into.insert(d);
      }
    }
    return std::nullopt;
  };
  if (auto problem = read("rest_days", rest_days, out.rest_days)) return *problem;
  if (auto problem = read("working_days", working_days, out.working_days)) return *problem;
  for (std::size_t i = 0; i < working_days.size(); ++i) {
    auto range = *parse_day_range(working_days[i]);
    for (Date d = range.first; d <= range.last; d += days(1)) {
      const auto field = "working_days[" + std::to_string(i) + "]";
      if (out.rest_days.count(d)) return CalendarYearProblem{field, format_date(d) + " is also given as a rest day"};
      if (!is_weekend(d))
        return CalendarYearProblem{
            field,
            format_date(d) + " is a weekday, a working day anyway: make-up working days are Saturdays and Sundays"};
    }
  }
  return out;
}

}  // namespace petitiond::workflow
