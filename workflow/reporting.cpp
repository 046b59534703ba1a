#include "workflow/reporting.hpp"

#include <algorithm>
#include <limits>

namespace petitiond::workflow {
namespace {

bool stops(const Decision& decision, const std::string& clock) {
  return std::any_of(decision.clocks.begin(), decision.clocks.end(), [&](const ClockChange& change) {
    return change.kind == ClockChange::Kind::stop && change.clock == clock;
  });
}

// Whether every obligation (not a window) the decision stops was still within its deadline.
bool obligations_met(const PetitionState& before, const Decision& decision, const Definition& definition,
                     const Calendar& calendar) {
  for (const auto& clock : before.clocks) {
    if (!clock.running() || !stops(decision, clock.name)) continue;
    const auto* spec = definition.clock(clock.name);
    if (spec && spec->window) continue;
    if (auto deadline = deadline_of(clock, calendar); deadline && decision.at > *deadline) return false;
  }
  return true;
}

std::optional<double> satisfaction_score(const Decision& decision) {
  auto it = decision.fields.find("satisfaction");
  if (it == decision.fields.end()) return std::nullopt;
  const auto& levels = satisfaction_levels();
  auto level = std::find(levels.begin(), levels.end(), it->second);
  if (level == levels.end()) return std::nullopt;
  return static_cast<double>(levels.size() - static_cast<std::size_t>(level - levels.begin()));
}

Date start_of(char grain, Date day) {
  using namespace std::chrono;
  const year_month_day ymd{day};
  if (grain == 'y') return sys_days{ymd.year() / January / 1};
  if (grain == 'm') return sys_days{ymd.year() / ymd.month() / 1d};
  return day;
}

Date next_start(char grain, Date start) {
  using namespace std::chrono;
  if (grain == 'y') return sys_days{year_month_day{start} + years{1}};
  if (grain == 'm') return sys_days{year_month_day{start} + months{1}};
  return start + days{1};
}

char finer(char grain) { return grain == 'y' ? 'm' : 'd'; }

// How many rollup rows the segments read.
long rows_read(const std::vector<PeriodSegment>& segments) {
  long rows = 0;
  for (const auto& s : segments)
    for (Date at = s.from; at < s.until; at = next_start(s.grain, at)) ++rows;
  return rows;
}

void append(std::vector<PeriodSegment>& to, const std::vector<PeriodSegment>& segments, int sign) {
  for (auto s : segments) {
    s.sign *= sign;
    if (!to.empty() && to.back().grain == s.grain && to.back().sign == s.sign && to.back().until == s.from)
      to.back().until = s.until;
    else to.push_back(s);
  }
}

// The fewest rows covering [from, until): whole units of `grain` in the middle; each end, which lies
// inside one unit, either by finer units or as that unit less its finer rest, whichever reads fewer.
std::vector<PeriodSegment> cover_days(Date from, Date until, char grain) {
  if (from >= until) return {};
  if (grain == 'd') return {{'d', from, until, 1}};
  const Date first_unit = start_of(grain, from);
  const Date last_unit = start_of(grain, until - std::chrono::days{1});
  std::vector<PeriodSegment> segments;
  if (first_unit != last_unit) {
    append(segments, cover_days(from, next_start(grain, first_unit), grain), 1);
    append(segments, cover_days(next_start(grain, first_unit), last_unit, grain), 1);
    append(segments, cover_days(last_unit, until, grain), 1);
    return segments;
  }
  const Date unit_end = next_start(grain, first_unit);
  if (from == first_unit && until == unit_end) return {{grain, from, until, 1}};
  auto direct = cover_days(from, until, finer(grain));
  segments.push_back({grain, first_unit, unit_end, 1});
  append(segments, cover_days(first_unit, from, finer(grain)), -1);
  append(segments, cover_days(until, unit_end, finer(grain)), -1);
  return rows_read(segments) < rows_read(direct) ? segments : direct;
}

}  // namespace

double working_days_elapsed(const Calendar& calendar, Instant from, Instant to) {
  long day_minutes = 0;
  for (const auto& slot : calendar.slots()) day_minutes += (slot.end - slot.start).count();
  if (day_minutes <= 0 || to <= from) return 0.0;
  return static_cast<double>(calendar.working_minutes_between(from, to)) / static_cast<double>(day_minutes);
}

const std::vector<double>& handling_time_buckets() {
  static const std::vector<double> bounds{0.5, 1,  2,  3,  4,  5,  7,
                                          10,  15, 20, 30, 45, 60, std::numeric_limits<double>::infinity()};
  return bounds;
}

int handling_time_bucket(double working_days) {
  const auto& bounds = handling_time_buckets();
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (working_days <= bounds[i]) return static_cast<int>(i);
  return static_cast<int>(bounds.size() - 1);
}

std::vector<PeriodSegment> cover_period(Date first, Date last, char coarsest) {
  return cover_days(first, last + std::chrono::days{1}, coarsest);
}

std::vector<ReportFact> report_facts(const PetitionState& before, const Decision& decision,
                                     const Definition& definition, const Calendar& calendar, Instant handling_started) {
  std::vector<ReportFact> facts;
  const auto* transition = definition.transition(decision.transition);
  if (!transition) return facts;
  for (const auto& measure : transition->report) {
    ReportFact fact{measure, measure == "accepted" || measure == "not_accepted", std::nullopt, std::nullopt};
    if (measure == "signed_for" || measure == "replied")
      fact.on_time = obligations_met(before, decision, definition, calendar);
    if (measure == "replied") fact.value = working_days_elapsed(calendar, handling_started, decision.at);
    if (measure == "satisfaction") {
      fact.value = satisfaction_score(decision);
      if (!fact.value) continue;
    }
    facts.push_back(std::move(fact));
  }
  return facts;
}

}  // namespace petitiond::workflow
