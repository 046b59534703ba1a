#include <catch2/catch.hpp>
#include <random>

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "workflow/calendar.hpp"
#include "workflow/clock.hpp"
#include "tests/support/shipped.hpp"

using namespace petitiond::workflow;
using namespace std::chrono;
using Catch::Matchers::Contains;

using petitiond::test::cn;

namespace {

Date date(const char* text) { return *parse_date(text); }
Instant at(const char* day, int hour, int minute = 0) { return at_local(date(day), hours(hour) + minutes(minute)); }
std::string end_of(const char* day) { return format_local(start_of(date(day) + days(1))); }

// The official 2025 and 2026 arrangements, typed in again here from domain.md §3 as an independent oracle.
bool oracle_working_day(Date d) {
  static const std::vector<std::pair<const char*, const char*>> rest{
      {"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
      {"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"},
      {"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
      {"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
      {"2026-10-01", "2026-10-07"}};
  static const std::vector<const char*> makeup{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28",
                                               "2025-10-11", "2026-01-04", "2026-02-14", "2026-02-28",
                                               "2026-05-09", "2026-09-20", "2026-10-10"};
  for (auto m : makeup)
    if (d == date(m)) return true;
  for (auto [a, b] : rest)
    if (d >= date(a) && d <= date(b)) return false;
  weekday w{d};
  return w != Saturday && w != Sunday;
}

}  // namespace

TEST_CASE("every day of 2025 and 2026 is a working day exactly when the official arrangement says") {
  int working = 0;
  for (Date d = date("2025-01-01"); d <= date("2026-12-31"); d += days(1)) {
    CAPTURE(format_local(start_of(d)));
    CHECK(cn().is_working_day(d) == oracle_working_day(d));
    working += cn().is_working_day(d);
  }
  // 261 weekdays a year, less 18 weekday rest days, plus 5 make-up weekend days: 248 (counted by hand too).
  CHECK(working == 248 + 248);
  CHECK(cn().is_working_day(date("2027-03-01")));  // beyond the published years: weekdays
  CHECK_FALSE(cn().is_working_day(date("2027-03-06")));
}

TEST_CASE("working-day deadlines at the 2025-2026 holiday boundaries and make-up days") {
  auto [start, n, end] = GENERATE(table<const char*, int, const char*>({
      {"2024-12-31", 1, "2025-01-02"},   // New Year's Day 2025 is a rest day
      {"2025-01-24", 1, "2025-01-26"},   // Friday -> make-up Sunday
      {"2025-01-27", 1, "2025-02-05"},   // across the Spring Festival
      {"2025-02-07", 1, "2025-02-08"},   // make-up Saturday
      {"2025-04-03", 1, "2025-04-07"},   // Qingming
      {"2025-04-25", 1, "2025-04-27"},   // make-up Sunday
      {"2025-04-30", 1, "2025-05-06"},   // Labour Day
      {"2025-05-30", 1, "2025-06-03"},   // Dragon Boat
      {"2025-09-26", 1, "2025-09-28"},   // make-up Sunday before National Day
      {"2025-09-30", 1, "2025-10-09"},   // National Day and Mid-Autumn
      {"2025-10-10", 1, "2025-10-11"},   // make-up Saturday
      {"2025-12-31", 1, "2026-01-04"},   // New Year 2026, then a make-up Sunday
      {"2026-02-13", 1, "2026-02-14"},   // make-up Saturday before the Spring Festival
      {"2026-02-14", 1, "2026-02-24"},   // across the Spring Festival
      {"2026-02-27", 1, "2026-02-28"},   // make-up Saturday after it
      {"2026-04-03", 1, "2026-04-07"},   // Qingming
      {"2026-04-30", 1, "2026-05-06"},   // Labour Day
      {"2026-05-08", 1, "2026-05-09"},   // make-up Saturday
      {"2026-06-18", 1, "2026-06-22"},   // Dragon Boat
      {"2026-09-18", 1, "2026-09-20"},   // make-up Sunday
      {"2026-09-24", 1, "2026-09-28"},   // Mid-Autumn
      {"2026-09-30", 1, "2026-10-08"},   // National Day
      {"2026-10-09", 1, "2026-10-10"},   // make-up Saturday
      {"2026-02-10", 3, "2026-02-13"},   // consultation: 3 working days
      {"2026-02-11", 3, "2026-02-14"},   // … ending on the make-up Saturday
      {"2026-02-12", 3, "2026-02-24"},   // … across the festival
      {"2026-02-09", 7, "2026-02-25"},   // help: 7 working days
      {"2026-09-18", 15, "2026-10-15"},  // complaint: 15 working days across two holidays and two make-up days
      {"2026-11-27", 0, "2026-11-27"},   // zero: the end of the starting day
  }));
  CAPTURE(start, n);
  CHECK(format_local(cn().add_working_days(at(start, 15, 20), n)) == end_of(end));
}

TEST_CASE("calendar-day deadlines end at 24:00 and roll off rest days to the next working day") {
  CHECK(format_local(cn().add_calendar_days(at("2026-11-02", 9), 15)) == end_of("2026-11-17"));
  CHECK(format_local(cn().add_calendar_days(at("2026-09-16", 9), 15)) == end_of("2026-10-08"));  // Oct 1 rests
  CHECK(format_local(cn().add_calendar_days(at("2026-02-06", 9), 8)) == end_of("2026-02-14"));   // make-up Saturday
  CHECK(format_local(cn().add_calendar_days(at("2026-11-20", 9), 8)) == end_of("2026-11-30"));   // Saturday -> Monday
  CHECK(format_local(cn().add_calendar_days(at("2026-08-01", 9), 60)) == end_of("2026-09-30"));
  // The triggering day is not counted, and times near midnight use the local date.
  CHECK(format_local(cn().add_calendar_days(Instant(sys_days(year{2026} / 3 / 1)) + hours(16) + minutes(30), 1)) ==
        end_of("2026-03-03"));  // 2026-03-02 00:30 local
}

TEST_CASE("working-hour deadlines skip the lunch gap, evenings and rest days") {
  auto [start_day, h, m, minutes_to_add, expected] = GENERATE(table<const char*, int, int, long, const char*>({
      {"2026-03-02", 9, 0, 120, "2026-03-02T11:00:00+08:00"},
      {"2026-03-02", 11, 30, 60, "2026-03-02T14:30:00+08:00"},   // lunch gap
      {"2026-03-02", 12, 30, 60, "2026-03-02T15:00:00+08:00"},   // received at lunch
      {"2026-03-02", 16, 30, 120, "2026-03-03T09:30:00+08:00"},  // overnight
      {"2026-03-02", 20, 0, 120, "2026-03-03T10:30:00+08:00"},   // received in the evening
      {"2026-02-13", 16, 30, 120, "2026-02-14T09:30:00+08:00"},  // make-up Saturday
      {"2026-02-14", 17, 0, 120, "2026-02-24T10:00:00+08:00"},   // across the Spring Festival
      {"2026-09-30", 17, 0, 30, "2026-09-30T17:30:00+08:00"},    // exactly at closing time
      {"2026-09-30", 17, 0, 31, "2026-10-08T08:31:00+08:00"},    // … one minute more: after National Day
      {"2026-03-02", 9, 0, 0, "2026-03-02T09:00:00+08:00"},
  }));
  CAPTURE(start_day, h, m, minutes_to_add);
  CHECK(format_local(cn().add_working_minutes(at(start_day, h, m), minutes_to_add)) == expected);
}

TEST_CASE("time left before a deadline, in working days and working minutes, as the worklist shows it") {
  // The deadline is a day's end (24:00) or a moment; "now" a local time. 7 working hours a day (08:30-12:00,
  // 14:00-17:30).
  auto [now_day, h, m, due, overdue, working_days, working_minutes] =
      GENERATE(table<const char*, int, int, const char*, bool, int, long>({
          {"2026-03-02", 9, 0, "2026-03-04T24", false, 2, 6 * 60 + 30 + 14 * 60},  // Mon → end of Wed
          {"2026-03-02", 9, 0, "2026-03-02T24", false, 0, 6 * 60 + 30},            // due tonight
          {"2026-03-02", 18, 0, "2026-03-02T24", false, 0, 0},                     // after hours, not late yet
          {"2026-03-06", 9, 0, "2026-03-09T24", false, 1, 6 * 60 + 30 + 7 * 60},  // Fri → Mon: the weekend is no time
          {"2026-09-30", 10, 0, "2026-10-09T24", false, 2, 5 * 60 + 30 + 14 * 60},  // over National Day
          {"2026-10-09", 10, 0, "2026-10-10T24", false, 1, 5 * 60 + 30 + 7 * 60},   // a make-up Saturday counts
          {"2026-03-02", 9, 0, "2026-03-02T11", false, 0, 120},                     // an hours deadline
          {"2026-03-03", 10, 0, "2026-03-02T24", true, 1, 90},                      // a morning late
          {"2026-03-09", 9, 0, "2026-03-05T24", true, 2, 7 * 60 + 30},              // Fri, Mon late (weekend free)
          {"2026-03-02", 11, 0, "2026-03-02T10", true, 0, 60},                      // an hour late, same day
          {"2026-03-02", 10, 0, "2026-03-02T10", true, 0, 0},                       // at the deadline: due now
      }));
  CAPTURE(now_day, h, m, due);
  std::string due_text(due);
  auto due_day = date(due_text.substr(0, 10).c_str());
  int due_hour = std::stoi(due_text.substr(11));
  Instant due_at = due_hour == 24 ? start_of(due_day + days(1)) : at_local(due_day, hours(due_hour));
  auto left = time_left(cn(), at(now_day, h, m), due_at);
  CHECK(left.overdue == overdue);
  CHECK(left.working_days == working_days);
  CHECK(left.working_minutes == working_minutes);
}

TEST_CASE("adding and measuring working time agree, for thousands of random starts") {
  std::mt19937 random(12385);
  std::uniform_int_distribution<int> day(0, 700), minute(0, 24 * 60 - 1), count(0, 40), working_minutes(0, 60 * 60);
  for (int i = 0; i < 3000; ++i) {
    Instant start = at_local(date("2025-01-01") + days(day(random)), minutes(minute(random)));
    int n = count(random);
    Instant end = cn().add_working_days(start, n);
    CHECK(cn().working_days_between(local_date(start), local_date(end - seconds(1))) == n);
    CHECK(cn().is_working_day(local_date(end - seconds(1))) == (n > 0 || cn().is_working_day(local_date(start))));
    long m = working_minutes(random);
    Instant finish = cn().add_working_minutes(start, m);
    CHECK(cn().working_minutes_between(start - seconds(start.time_since_epoch().count() % 60), finish) == m);
  }
}

TEST_CASE("a clock's deadline moves by exactly the time spent paused: working minutes, or days for calendar days") {
  const Instant start = at("2026-03-02", 10);  // a Monday
  const ClockDuration fifteen_days{DurationUnit::working_days, 15};
  auto plain = clock_state(cn(), fifteen_days, start, {}, at("2026-03-03", 10));
  REQUIRE(plain.deadline);
  CHECK(format_local(*plain.deadline) == end_of("2026-03-23"));
  CHECK(plain.used == 1);

  // Paused Wednesday 10:00 to the next Monday 09:00: 330 + 420 + 420 + 30 = 1200 working minutes, added
  // after the end of the 23rd: Tuesday 420, Wednesday 420, Thursday 08:30 + 360 minutes = 16:30.
  std::vector<Pause> pauses{{at("2026-03-04", 10), at("2026-03-09", 9)}};
  auto resumed = clock_state(cn(), fifteen_days, start, pauses, at("2026-03-10", 10));
  CHECK(format_local(*resumed.deadline) == "2026-03-26T16:30:00+08:00");
  CHECK(resumed.used == 6 - 3);  // Mar 3, 4, 5, 6, 9, 10 less the paused 5, 6, 9

  std::vector<Pause> open{{at("2026-03-04", 10), std::nullopt}};
  auto paused = clock_state(cn(), fifteen_days, start, open, at("2026-03-20", 10));
  CHECK(paused.paused);
  CHECK_FALSE(paused.deadline);
  CHECK(paused.used == 2);  // frozen at the pause

  // Six hours on one day, four of them working time: the deadline moves four working hours, not a day.
  std::vector<Pause> same_day{{at("2026-03-04", 10), at("2026-03-04", 16)}};
  CHECK(format_local(*clock_state(cn(), fifteen_days, start, same_day, at("2026-03-05", 9)).deadline) ==
        "2026-03-24T14:30:00+08:00");
  // A whole working day paused moves it a whole working day, to the end of that day.
  std::vector<Pause> whole_day{{at("2026-03-04", 0), at("2026-03-05", 0)}};
  CHECK(format_local(*clock_state(cn(), fifteen_days, start, whole_day, at("2026-03-05", 9)).deadline) ==
        end_of("2026-03-24"));

  // Two working hours, paused 09:30-14:30 (three working hours): due at 16:00.
  std::vector<Pause> morning{{at("2026-03-02", 9, 30), at("2026-03-02", 14, 30)}};
  auto urgent = clock_state(cn(), {DurationUnit::working_hours, 2}, at("2026-03-02", 9), morning, at("2026-03-02", 15));
  CHECK(format_local(*urgent.deadline) == "2026-03-02T16:00:00+08:00");
  CHECK(urgent.used == 60);

  // Sixty calendar days, paused over ten calendar days.
  std::vector<Pause> ten_days{{at("2026-04-10", 9), at("2026-04-20", 9)}};
  auto formal =
      clock_state(cn(), {DurationUnit::calendar_days, 60}, at("2026-04-01", 9), ten_days, at("2026-04-21", 9));
  CHECK(format_local(*formal.deadline) == end_of("2026-06-10"));

  // 80 % of the 6630 working minutes left once the pause is taken out is 5304: 840 before the pause, the
  // rest from Monday 9th 09:00: 390 that day, nine whole days, then 294 minutes into the 23rd: 15:24.
  CHECK(format_local(*clock_point(cn(), fifteen_days, start, pauses, 80)) == "2026-03-23T15:24:00+08:00");
  // A warning never coincides with the deadline: half of one working day from Monday 10:00 is Tuesday 09:15.
  const ClockDuration one_day{DurationUnit::working_days, 1};
  CHECK(format_local(*clock_point(cn(), one_day, start, {}, 50)) == "2026-03-03T09:15:00+08:00");
  CHECK(format_local(*clock_point(cn(), one_day, start, {}, 99)) < end_of("2026-03-03"));
  // Hours around the clock: 24 hours from Friday 20:00, over a weekend.
  auto emergency = clock_state(cn(), {DurationUnit::hours, 24}, at("2026-03-06", 20), {}, at("2026-03-06", 21));
  CHECK(format_local(*emergency.deadline) == "2026-03-07T20:00:00+08:00");
  std::vector<Pause> overlapping{{at("2026-03-04", 10), at("2026-03-06", 9)},
                                 {at("2026-03-05", 10), at("2026-03-07", 9)}};
  CHECK_THROWS(clock_state(cn(), fifteen_days, start, overlapping, at("2026-03-10", 9)));
}

TEST_CASE("calendar files with mistakes are refused, naming the file and the line") {
  auto load = [](std::string text) {
    std::vector<CalendarFile> files{{"calendars/test.yaml", text}};
    return load_calendar(files);
  };
  CHECK_THROWS_WITH(load("calendar: cn\nyear: 2026\nrest_days:\n  - 2026-02-30\n"),
                    Contains("calendars/test.yaml") && Contains("line 4"));
  CHECK_THROWS_WITH(load("calendar: cn\nyear: 2026\nrest_days:\n  - 2025-12-31\n"), Contains("not in 2026"));
  CHECK_THROWS_WITH(load("calendar: cn\nrest_days:\n  - 2026-02-23..2026-02-15\n"), Contains("range"));
  CHECK_THROWS_WITH(load("calendar: cn\nworking_hours: [\"14:00-17:30\", \"08:30-12:00\"]\n"),
                    Contains("working hours"));
  CHECK_THROWS_WITH(load("calendar: cn\nrest_days: [2026-03-02]\nworking_days: [2026-03-02]\n"), Contains("both"));
  CHECK_THROWS_WITH(load("year: 2026\n"), Contains("names no calendar"));
  std::vector<CalendarFile> mixed{{"a.yaml", "calendar: cn\n"}, {"b.yaml", "calendar: other\n"}};
  CHECK_THROWS_WITH(load_calendar(mixed), Contains("b.yaml"));
}

TEST_CASE("a year set in the app is read with the field of its first problem, or replaces that year only") {
  using Items = std::vector<std::string>;
  struct Case {
    int year;
    Items rest, working;
    const char* field;  // "" when accepted
    const char* message;
  };
  const Case cases[] = {
      {2027, {"2027-01-01..2027-01-03", "2027-10-01"}, {"2027-02-07"}, "", ""},
      {2027, {}, {}, "", ""},
      {1999, {}, {}, "year", "2000 to 2100"},
      {2027, {"2027-01-01", "tomorrow"}, {}, "rest_days[1]", "'tomorrow' is not a date"},
      {2027, {"2027-01-03..2027-01-01"}, {}, "rest_days[0]", "is not a date"},
      {2027, {"2027-02-30"}, {}, "rest_days[0]", "is not a date"},
      {2027, {"2026-12-31..2027-01-02"}, {}, "rest_days[0]", "is not in 2027"},
      {2027, {}, {"2028-01-01"}, "working_days[0]", "is not in 2027"},
      {2027, {"2027-02-06..2027-02-07"}, {"2027-01-09", "2027-02-07"}, "working_days[1]", "also given as a rest day"},
      {2027, {}, {"2027-02-08"}, "working_days[0]", "is a weekday"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.year, c.field);
    auto read = read_calendar_year(c.year, c.rest, c.working);
    if (std::string(c.field).empty()) {
      REQUIRE(std::holds_alternative<CalendarYear>(read));
      continue;
    }
    REQUIRE(std::holds_alternative<CalendarYearProblem>(read));
    CHECK(std::get<CalendarYearProblem>(read).field == c.field);
    CHECK_THAT(std::get<CalendarYearProblem>(read).message, Contains(c.message));
  }

  auto year = std::get<CalendarYear>(read_calendar_year(2026, Items{"2026-10-01..2026-10-08"}, Items{"2026-10-10"}));
  const auto changed = cn().with_year(2026, year.rest_days, year.working_days);
  CHECK_FALSE(changed.is_working_day(date("2026-10-08")));  // a Thursday, now a rest day
  CHECK(cn().is_working_day(date("2026-10-08")));
  CHECK(changed.is_working_day(date("2026-02-24")));  // the Spring Festival is no longer given for 2026
  CHECK_FALSE(cn().is_working_day(date("2026-02-23")));
  CHECK(changed.is_working_day(date("2026-02-23")));
  CHECK_FALSE(changed.is_working_day(date("2026-02-14")));  // nor its make-up Saturday
  CHECK(changed.is_working_day(date("2026-10-10")));
  CHECK_FALSE(changed.is_working_day(date("2025-10-08")));  // 2025 as the files give it
  CHECK(changed.rest_days().size() == cn().rest_days().size() - 33 + 8);
}

TEST_CASE("working time between two moments equals a day-by-day count, over ranges of up to three years") {
  // The shipped calendar, and one with odd data a file may hold: a make-up weekday, a day both rest and make-up.
  const Calendar odd("odd", {date("2026-03-04"), date("2026-03-05"), date("2026-03-07")},
                     {date("2026-03-05"), date("2026-03-08"), date("2026-03-10")}, cn().slots());
  std::mt19937 random(20261201);
  std::uniform_int_distribution<int> day(0, 800), minute(0, 24 * 60 - 1), length(0, 3 * 366 * 24 * 60);
  for (const Calendar* calendar : {&cn(), &odd}) {
    for (int i = 0; i < 2000; ++i) {
      const Instant from = at_local(date("2024-06-01") + days(day(random)), minutes(minute(random)));
      const Instant to = from + minutes(i % 5 == 0 ? length(random) % (3 * 24 * 60) : length(random));
      int days_counted = 0;
      long minutes_counted = 0;
      for (Date d = local_date(from) + days(1); d <= local_date(to); d += days(1))
        days_counted += calendar->is_working_day(d);
      for (Date d = local_date(from); start_of(d) < to; d += days(1)) {
        if (!calendar->is_working_day(d)) continue;
        for (const auto& slot : calendar->slots()) {
          auto a = std::max(at_local(d, slot.start), from), b = std::min(at_local(d, slot.end), to);
          if (b > a) minutes_counted += duration_cast<minutes>(b - a).count();
        }
      }
      CAPTURE(calendar->name(), format_local(from), format_local(to));
      CHECK(calendar->working_days_between(local_date(from), local_date(to)) == days_counted);
      CHECK(calendar->working_minutes_between(from, to) == minutes_counted);
    }
  }
}

TEST_CASE("dates for people: a deadline at 24:00 belongs to the day it ends") {
  const auto end_of_feb_28 = start_of(*parse_date("2026-03-01"));
  CHECK(format_date_zh(deadline_day(end_of_feb_28)) == "2026年2月28日");
  CHECK(format_date_zh(deadline_day(at("2026-02-28", 15, 30))) == "2026年2月28日");
  CHECK(format_time_zh(at("2026-02-28", 9, 5)) == "2026年2月28日 09:05");
  CHECK(format_time_zh(start_of(*parse_date("2026-12-31"))) == "2026年12月31日 00:00");
}

TEST_CASE("calendars that cannot silently lie: next year's dates missing from 1 November, provisional deadlines") {
  const int last = cn().last_published_year();
  REQUIRE(last >= 2026);
  CalendarSet set;
  set.add(cn());
  const auto day = [](int y, unsigned m, unsigned d) {
    return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
  };
  CHECK(set.warnings(day(last, 10, 31)).empty());
  const auto warned = set.warnings(day(last, 11, 1));
  REQUIRE(warned.size() == 1);
  CHECK_THAT(warned[0], Catch::Matchers::Contains(std::to_string(last + 1)));
  CHECK_FALSE(cn().provisional(start_of(day(last, 12, 31) + std::chrono::days(1))));  // 24:00 on 31 December
  CHECK(cn().provisional(start_of(day(last + 1, 1, 2))));

  // A unit's calendar states only what differs (a local rest day, its own hours): the national days stay.
  const std::string local_text = "calendar: local\nrest_days: [2026-03-03]\nworking_hours: [\"09:00-17:00\"]\n";
  std::vector<CalendarFile> files{{"local.yaml", local_text}};
  const auto local = load_calendar(files).over(cn());
  CHECK_FALSE(local.is_working_day(*parse_date("2026-03-03")));  // its own rest day
  CHECK_FALSE(local.is_working_day(*parse_date("2026-10-01")));  // the National Day holiday
  CHECK(local.is_working_day(*parse_date("2026-02-28")));        // a national make-up Saturday
  CHECK(local.slots().size() == 1);
  CHECK(local.last_published_year() == last);
}
