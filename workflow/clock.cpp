#include "workflow/clock.hpp"

#include <stdexcept>

namespace petitiond::workflow {

const char* duration_unit_name(DurationUnit unit) {
  switch (unit) {
    case DurationUnit::calendar_days: return "calendar_days";
    case DurationUnit::working_days: return "working_days";
    case DurationUnit::working_hours: return "working_hours";
    case DurationUnit::hours: return "hours";
  }
  return "working_days";
}
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

bool counts_working_time(DurationUnit unit) {
  return unit == DurationUnit::working_days || unit == DurationUnit::working_hours;
}

// How long a pause lasted, as it is added back to the clock: days crossed for calendar days, working minutes
// for clocks counted in working time, elapsed minutes for hours.
long pause_length(const Calendar& calendar, DurationUnit unit, Instant from, Instant to) {
  if (to <= from) return 0;
  switch (unit) {
    case DurationUnit::calendar_days: return (local_date(to) - local_date(from)).count();
    case DurationUnit::working_days:
    case DurationUnit::working_hours: return calendar.working_minutes_between(from, to);
    case DurationUnit::hours: return std::chrono::duration_cast<minutes>(to - from).count();
  }
  return 0;
}

// Time used between two instants, in the clock's base unit (days, working days or minutes).
long units_between(const Calendar& calendar, DurationUnit unit, Instant from, Instant to) {
  if (to <= from) return 0;
  switch (unit) {
    case DurationUnit::calendar_days: return (local_date(to) - local_date(from)).count();
    case DurationUnit::working_days: return calendar.working_days_between(local_date(from), local_date(to));
    case DurationUnit::working_hours: return calendar.working_minutes_between(from, to);
    case DurationUnit::hours: return std::chrono::duration_cast<minutes>(to - from).count();
  }
  return 0;
}

// The end of the `count`-th working day after `start`'s date; 0: the end of the same working day (the next
// working day's, when `start` falls on a rest day).
Instant end_of_working_days(const Calendar& calendar, Instant start, int count) {
  if (count > 0) return calendar.add_working_days(start, count);
  Date date = local_date(start);
  for (int i = 0; !calendar.is_working_day(date); ++i, date += std::chrono::days(1))
    if (i > 3660) throw std::runtime_error("calendar " + calendar.name() + " has no working day to end a deadline on");
  return start_of(date + std::chrono::days(1));
}

// `minutes` of working time after `at`; a result at the close of a day's last working slot is that day's end,
// so that a working-day deadline moved by whole days still reads "by the end of the day".
Instant add_working_time(const Calendar& calendar, Instant at, long count) {
  if (count <= 0) return at;
  const Instant result = calendar.add_working_minutes(at, count);
  const Date day = local_date(result);
  if (!calendar.slots().empty() && result == at_local(day, calendar.slots().back().end))
    return start_of(day + std::chrono::days(1));
  return result;
}

// Checks the pauses and sums what the finished ones add; false when the last one is still open.
bool paused_total(const Calendar& calendar, DurationUnit unit, std::span<const Pause> pauses, long& total) {
  total = 0;
  std::optional<Instant> previous_end;
  for (size_t i = 0; i < pauses.size(); ++i) {
    const auto& pause = pauses[i];
    if (previous_end && pause.from < *previous_end)
      throw std::invalid_argument("clock pauses overlap or are out of order");
    if (!pause.until) {
      if (i + 1 != pauses.size()) throw std::invalid_argument("only the last pause of a clock may be open");
      return false;
    }
    total += pause_length(calendar, unit, pause.from, *pause.until);
    previous_end = pause.until;
  }
  return true;
}

Instant deadline_after(const Calendar& calendar, ClockDuration duration, Instant start, long paused) {
  switch (duration.unit) {
    case DurationUnit::calendar_days:
      return calendar.add_calendar_days(start, duration.amount + static_cast<int>(paused));
    case DurationUnit::working_days:
      return add_working_time(calendar, end_of_working_days(calendar, start, duration.amount), paused);
    case DurationUnit::working_hours: return calendar.add_working_minutes(start, duration.amount * 60L + paused);
    case DurationUnit::hours: return start + minutes(duration.amount * 60L + paused);
  }
  return start;
}

long budget_of(ClockDuration duration) {
  return duration.unit == DurationUnit::working_hours || duration.unit == DurationUnit::hours ? duration.amount * 60L
                                                                                              : duration.amount;
}

// Warning points are placed in working minutes on clocks counted in working time, in seconds otherwise.
long fine_between(const Calendar& calendar, DurationUnit unit, Instant from, Instant to) {
  if (to <= from) return 0;
  if (counts_working_time(unit)) return calendar.working_minutes_between(from, to);
  return (to - from).count();
}

Instant fine_add(const Calendar& calendar, DurationUnit unit, Instant at, long amount) {
  if (amount <= 0) return at;
  if (counts_working_time(unit)) return calendar.add_working_minutes(at, amount);
  return at + seconds(amount);
}

}  // namespace

ClockState clock_state(const Calendar& calendar, ClockDuration duration, Instant start, std::span<const Pause> pauses,
                       Instant now) {
  ClockState state;
  state.budget = budget_of(duration);
  long paused = 0;
  state.paused = !paused_total(calendar, duration.unit, pauses, paused);
  if (!state.paused) state.deadline = deadline_after(calendar, duration, start, paused);
  // Used time: from the start to now (or to the open pause), less the time spent in pauses.
  Instant until = state.paused ? pauses.back().from : now;
  long used = units_between(calendar, duration.unit, start, until);
  for (const auto& pause : pauses)
    if (pause.until) used -= units_between(calendar, duration.unit, pause.from, std::min(*pause.until, until));
  state.used = std::max(0L, used);
  return state;
}

std::optional<Instant> clock_point(const Calendar& calendar, ClockDuration duration, Instant start,
                                   std::span<const Pause> pauses, int percent) {
  long paused = 0;
  if (!paused_total(calendar, duration.unit, pauses, paused)) return std::nullopt;
  const Instant deadline = deadline_after(calendar, duration, start, paused);
  const auto unit = duration.unit;
  long span = fine_between(calendar, unit, start, deadline);
  for (const auto& pause : pauses) span -= fine_between(calendar, unit, pause.from, *pause.until);
  // Rounded up: a warning never comes early.
  long remaining = (std::max(0L, span) * percent + 99) / 100;
  Instant cursor = start;
  std::optional<Instant> point;
  for (const auto& pause : pauses) {
    const long before = fine_between(calendar, unit, cursor, pause.from);
    if (before >= remaining) {
      point = fine_add(calendar, unit, cursor, remaining);
      break;
    }
    remaining -= before;
    cursor = std::max(cursor, *pause.until);
  }
  if (!point) point = fine_add(calendar, unit, cursor, remaining);
  if (*point >= deadline) return std::nullopt;
  return point;
}

}  // namespace petitiond::workflow
