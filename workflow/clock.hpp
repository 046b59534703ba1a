#pragma once
// A deadline clock: a start, a duration in some unit, and the pauses it went through (waiting for the
// petitioner's documents, say). Everything derives from those facts, so a clock is recomputed from the
// event history rather than stored and patched: each finished pause adds exactly the time it lasted,
// measured in the clock's own unit, and nothing else moves the deadline.
#include <optional>
#include <span>

#include "workflow/calendar.hpp"

namespace petitiond::workflow {

// Calendar days end at 24:00 (moved to the next working day when that is a rest day); working days end
// at 24:00 of the last one (0 working days: the same working day); working hours count inside the working
// slots; hours count around the clock, nights and holidays included (an emergency's 24 hours).
enum class DurationUnit { calendar_days, working_days, working_hours, hours };
// The unit as definitions, the database and the API spell it: "working_days", …
const char* duration_unit_name(DurationUnit unit);

struct ClockDuration {
  DurationUnit unit = DurationUnit::working_days;
  int amount = 0;  // days, or hours for working_hours and hours
};

struct Pause {
  Instant from;
  std::optional<Instant> until;  // empty: still paused
};

struct ClockState {
  bool paused = false;
  std::optional<Instant> deadline;  // empty while paused
  long used = 0;                    // time consumed so far in the clock's base unit (days or minutes)
  long budget = 0;                  // the duration in that unit
};

// The clock as of `now`. Pauses must be in order and not overlap; only the last may be open. A finished
// pause adds exactly the time it lasted: working minutes for clocks counted in working days or hours,
// elapsed time for hours, days crossed for calendar days (the regulation counts those in whole days).
ClockState clock_state(const Calendar& calendar, ClockDuration duration, Instant start, std::span<const Pause> pauses,
                       Instant now);

// The moment `percent` (1-99) of the time from start to deadline has been used, pauses left out: working
// time for working-day and working-hour clocks, elapsed time otherwise. Empty while paused, or when the
// point would not come before the deadline.
std::optional<Instant> clock_point(const Calendar& calendar, ClockDuration duration, Instant start,
                                   std::span<const Pause> pauses, int percent);

}  // namespace petitiond::workflow
