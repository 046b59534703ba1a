#pragma once
// What the managers' reports count a workflow decision as. A decision yields facts (one per measure the
// transition reports, see `report` in the definition); the server stores them with the unit they count
// for, and the reports add them up. Pure: no I/O.
#include <optional>
#include <string>
#include <vector>

#include "workflow/calendar.hpp"
#include "workflow/definition.hpp"
#include "workflow/engine.hpp"

namespace petitiond::workflow {

struct ReportFact {
  std::string measure;
  bool intake_unit = false;     // counts for the unit that registered the petition, not the one handling it
  std::optional<bool> on_time;  // signed_for, replied: every obligation the decision stops was met
  std::optional<double> value;  // replied: handling time in working days; satisfaction: 5 (best) … 1
};

// `handling_started`: when the order reached the unit handling it (its dispatch), or the registration.
std::vector<ReportFact> report_facts(const PetitionState& before, const Decision& decision,
                                     const Definition& definition, const Calendar& calendar, Instant handling_started);

// Working days between two instants on `calendar`: working minutes over the length of a working day.
double working_days_elapsed(const Calendar& calendar, Instant from, Instant to);

// The histogram buckets of handling time (upper bounds in working days; the last is open-ended) that
// reports keep, so that a percentile over any period is a sum of counts: p90 is given as a bucket's bound.
const std::vector<double>& handling_time_buckets();
int handling_time_bucket(double working_days);

// A report period [first, last] (local dates, inclusive) as the fewest rollup rows, at grains up to
// `coarsest` ('y', 'm' or 'd'). A segment [from, until) of whole years, months or days is added or, where
// that reads fewer rows, subtracted: 2021-12-02 to 2026-12-01 is December 2021 less its first day, the
// years 2022–2026, less December 2026, plus its first day (9 rows, not 90 of months and days). A row
// never counts into a week or month other than its own: a subtracted piece lies inside the added one.
struct PeriodSegment {
  char grain;  // 'y', 'm' or 'd'
  Date from, until;
  int sign = 1;  // +1 added, -1 subtracted
  bool operator==(const PeriodSegment&) const = default;
};
std::vector<PeriodSegment> cover_period(Date first, Date last, char coarsest = 'y');

}  // namespace petitiond::workflow
