// Workflow benchmark: time per decide() and per working-day deadline computation, each next to a
// baseline measured in the same run (copying the petition state; plain calendar-day arithmetic), since
// these machines are shared and noisy. Prints figures; records nothing by itself.
#include <chrono>
#include <cstdio>
#include <random>

#include "schemas/embedded.hpp"
#include "workflow/engine.hpp"

using namespace petitiond::workflow;
using namespace std::chrono;

namespace {

template <typename F>
double nanoseconds_per_op(int count, F&& f) {
  auto start = steady_clock::now();
  for (int i = 0; i < count; ++i) f(i);
  return duration<double, std::nano>(steady_clock::now() - start).count() / count;
}

long sink = 0;  // printed at the end, so the work cannot be optimised away

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
  std::vector<CalendarFile> calendar_files;
  for (const auto& f : petitiond::schemas::calendars()) calendar_files.push_back({std::string(f.name), f.content});
  const auto calendar = load_calendar(calendar_files);
  Definition definition;
  for (const auto& f : petitiond::schemas::workflows())
    if (f.name.ends_with("petition-v1.yaml")) definition = load_definition(f.content, std::string(f.name)).definition;

  const Instant start = at_local(*parse_date("2026-09-16"), hours(14));
  auto state = initial_state(definition, "complaint", "normal", start);
  const std::set<std::string> roles{"operator", "manager", "handler"};
  for (const char* step : {"accept", "dispatch"})
    state = apply(state, decide(state, {step, {{"unit", "QS-T01"}}}, roles, start, definition, calendar));

  std::mt19937 random(1);
  std::vector<Instant> starts(4096);
  std::vector<int> amounts(4096);
  for (size_t i = 0; i < starts.size(); ++i) {
    starts[i] = at_local(*parse_date("2025-01-01") + days(random() % 700), minutes(random() % 1440));
    amounts[i] = 1 + static_cast<int>(random() % 60);
  }

  const double copy_ns =
      nanoseconds_per_op(count, [&](int) { sink += static_cast<long>(PetitionState(state).clocks.size()); });
  const double decide_ns = nanoseconds_per_op(count, [&](int i) {
    auto decision = decide(state, {"sign_for", {}}, roles, start + seconds(i % 3600), definition, calendar);
    sink += static_cast<long>(decision.clocks.size());
  });
  const double plain_ns = nanoseconds_per_op(count, [&](int i) {
    sink += (floor<days>(starts[i & 4095]) + days(amounts[i & 4095])).time_since_epoch().count();
  });
  const double working_ns = nanoseconds_per_op(count, [&](int i) {
    sink += calendar.add_working_days(starts[i & 4095], amounts[i & 4095]).time_since_epoch().count();
  });
  const double working_hours_ns = nanoseconds_per_op(count, [&](int i) {
    sink += calendar.add_working_minutes(starts[i & 4095], amounts[i & 4095] * 30).time_since_epoch().count();
  });

  // Time left on the worklist, for deadlines up to three years ahead or past; the baseline counts the same
  // working days and minutes day by day (as time_left did before 2026-12-01).
  std::vector<Instant> dues(4096);
  for (size_t i = 0; i < dues.size(); ++i)
    dues[i] = starts[i] + minutes(static_cast<long>(random() % (2 * 3 * 366 * 1440))) - days(3 * 366);
  const Instant now = at_local(*parse_date("2026-06-01"), hours(10));
  const double time_left_ns = nanoseconds_per_op(count / 10, [&](int i) {
    auto left = time_left(calendar, now, dues[i & 4095]);
    sink += left.working_days + left.working_minutes;
  });
  const double day_by_day_ns = nanoseconds_per_op(count / 10, [&](int i) {
    const Instant a = std::min(now, dues[i & 4095]), b = std::max(now, dues[i & 4095]);
    long total = 0;
    for (Date d = local_date(a); start_of(d) < b; d += days(1)) {
      if (!calendar.is_working_day(d)) continue;
      ++total;
      for (const auto& slot : calendar.slots()) {
        auto from = std::max(at_local(d, slot.start), a), to = std::min(at_local(d, slot.end), b);
        if (to > from) total += duration_cast<minutes>(to - from).count();
      }
    }
    sink += total;
  });

  std::printf("operations per figure: %d\n", count);
  std::printf(
      "decide(sign_for) with clock changes: %8.0f ns/op   (baseline, copying the state: %6.0f ns/op; ratio %.1f)\n",
      decide_ns, copy_ns, decide_ns / copy_ns);
  std::printf(
      "working-day deadline (1-60 days):    %8.0f ns/op   (baseline, calendar-day arithmetic: %6.1f ns/op; ratio "
      "%.0f)\n",
      working_ns, plain_ns, working_ns / plain_ns);
  std::printf("working-hour deadline (0.5-30 h):    %8.0f ns/op\n", working_hours_ns);
  std::printf(
      "time left, deadline 0-3 years away or past: %8.0f ns/op   (baseline, counting day by day: %6.0f ns/op; ratio "
      "%.3f)\n",
      time_left_ns, day_by_day_ns, time_left_ns / day_by_day_ns);
  std::printf("(checksum %ld)\n", sink);
  return 0;
}
