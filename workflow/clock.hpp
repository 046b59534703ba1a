#pragma once
// A deadline clock: a start, a duration in some unit, and the pauses it went through (waiting for the
// petitioner's documents, say). Everything derives from those facts, so a clock is recomputed from the
// event history rather than stored and patched: each finished pause adds exactly the time it lasted,
// measured in the clock's own unit, and nothing else moves the deadline.
#include <optional>
#include <span>

#include "workflow/calendar.hpp"

namespace petitiond::workflow {

enum class DurationUnit { calendar_days, working_days, working_hours };

struct ClockDuration {
  DurationUnit unit = DurationUnit::working_days;
  int amount = 0;  // days, or hours for working_hours
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

// The clock as of `now`. Pauses must be in order and not overlap; only the last may be open.
ClockState clock_state(const Calendar& calendar, ClockDuration duration, Instant start, std::span<const Pause> pauses,
                       Instant now);

// The moment `percent` of the duration has been used (100: the deadline), if not paused.
std::optional<Instant> clock_point(const Calendar& calendar, ClockDuration duration, Instant start,
                                   std::span<const Pause> pauses, int percent);

}  // namespace petitiond::workflow
