#include "workflow/clock.hpp"

#include <stdexcept>

namespace petitiond::workflow {
namespace {

// Time between two instants in the clock's unit: days crossed, working days crossed, working minutes.
long units_between(const Calendar& calendar, DurationUnit unit, Instant from, Instant to) {
  if (to <= from) return 0;
  switch (unit) {
    case DurationUnit::calendar_days: return (local_date(to) - local_date(from)).count();
    case DurationUnit::working_days: return calendar.working_days_between(local_date(from), local_date(to));
    case DurationUnit::working_hours: return calendar.working_minutes_between(from, to);
  }
  return 0;
}

Instant add_units(const Calendar& calendar, DurationUnit unit, Instant start, long amount) {
  switch (unit) {
    case DurationUnit::calendar_days: return calendar.add_calendar_days(start, static_cast<int>(amount));
    case DurationUnit::working_days: return calendar.add_working_days(start, static_cast<int>(amount));
    case DurationUnit::working_hours: return calendar.add_working_minutes(start, amount);
  }
  return start;
}

long budget_of(ClockDuration duration) {
  return duration.unit == DurationUnit::working_hours ? duration.amount * 60L : duration.amount;
}

// The budget plus everything the finished pauses added; false when a pause is still open.
bool extended_budget(const Calendar& calendar, ClockDuration duration, std::span<const Pause> pauses, long& total) {
  total = budget_of(duration);
  std::optional<Instant> previous_end;
  for (size_t i = 0; i < pauses.size(); ++i) {
    const auto& pause = pauses[i];
    if (previous_end && pause.from < *previous_end)
      throw std::invalid_argument("clock pauses overlap or are out of order");
    if (!pause.until) {
      if (i + 1 != pauses.size()) throw std::invalid_argument("only the last pause of a clock may be open");
      return false;
    }
    total += units_between(calendar, duration.unit, pause.from, *pause.until);
    previous_end = pause.until;
  }
  return true;
}

}  // namespace

ClockState clock_state(const Calendar& calendar, ClockDuration duration, Instant start, std::span<const Pause> pauses,
                       Instant now) {
  ClockState state;
  state.budget = budget_of(duration);
  long total = 0;
  state.paused = !extended_budget(calendar, duration, pauses, total);
  if (!state.paused) state.deadline = add_units(calendar, duration.unit, start, total);
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
  long total = 0;
  if (!extended_budget(calendar, duration, pauses, total)) return std::nullopt;
  const long base = budget_of(duration);
  const long point = (base * percent + 99) / 100;  // rounded up: a warning never comes early
  return add_units(calendar, duration.unit, start, total - base + point);
}

}  // namespace petitiond::workflow
