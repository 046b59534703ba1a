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

}  // namespace

double working_days_elapsed(const Calendar& calendar, Instant from, Instant to) {
  long day_minutes = 0;
  for (const auto& slot : calendar.slots()) day_minutes += (slot.end - slot.start).count();
  if (day_minutes <= 0 || to <= from) return 0.0;
  return static_cast<double>(calendar.working_minutes_between(from, to)) / static_cast<double>(day_minutes);
}

const std::vector<double>& handling_time_buckets() {
  static const std::vector<double> bounds{0.5, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60,
                                          std::numeric_limits<double>::infinity()};
  return bounds;
}

int handling_time_bucket(double working_days) {
  const auto& bounds = handling_time_buckets();
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (working_days <= bounds[i]) return static_cast<int>(i);
  return static_cast<int>(bounds.size() - 1);
}

std::vector<PeriodSegment> cover_period(Date first, Date last, char coarsest) {
  using namespace std::chrono;
  std::vector<PeriodSegment> segments;
  const Date end = last + days{1};
  auto add = [&segments](char grain, Date from, Date until) {
    if (!segments.empty() && segments.back().grain == grain && segments.back().until == from)
      segments.back().until = until;
    else
      segments.push_back({grain, from, until});
  };
  for (Date day = first; day < end;) {
    const year_month_day ymd{day};
    if (coarsest == 'y' && ymd.month() == January && ymd.day() == 1d) {
      const Date next_year = sys_days{(ymd.year() + years{1}) / January / 1};
      if (next_year <= end) {
        add('y', day, next_year);
        day = next_year;
        continue;
      }
    }
    if (coarsest != 'd' && ymd.day() == 1d) {
      const Date next_month = sys_days{ymd.year() / ymd.month() / 1d + months{1}};
      if (next_month <= end) {
        add('m', day, next_month);
        day = next_month;
        continue;
      }
    }
    add('d', day, day + days{1});
    day += days{1};
  }
  return segments;
}

std::vector<ReportFact> report_facts(const PetitionState& before, const Decision& decision, const Definition& definition,
                                     const Calendar& calendar, Instant handling_started) {
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
