// What reports count a decision as, and how a period is cut into rollup rows.
#include <catch2/catch.hpp>

#include <map>

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "workflow/reporting.hpp"
#include "tests/support/shipped.hpp"

using namespace petitiond;
using petitiond::test::cn;
using petitiond::test::petition_v1;
using namespace petitiond::workflow;
using namespace std::chrono;

namespace {

Date date_of(const char* text) { return *parse_date(text); }
Instant at(const char* d, int hour) { return at_local(date_of(d), hours(hour)); }

std::string segments_text(const std::vector<PeriodSegment>& segments) {
  std::string out;
  for (const auto& s : segments) {
    const year_month_day from{s.from}, until{s.until};
    out += (s.sign < 0 ? "-" : "") + std::string(1, s.grain) + ":" + std::to_string(static_cast<int>(from.year())) +
           "-" + std::to_string(static_cast<unsigned>(from.month())) + "-" +
           std::to_string(static_cast<unsigned>(from.day())) + ".." +
           std::to_string(static_cast<unsigned>(until.month())) + "-" +
           std::to_string(static_cast<unsigned>(until.day())) + " ";
  }
  return out;
}

// A petition dispatched at `dispatched` (a Monday 09:00), signed for and handled by `replied`.
struct Run {
  PetitionState state;
  Decision last;
};

PetitionState handling_since(Instant dispatched, Instant signed_for) {
  const auto& def = petition_v1();
  auto state = initial_state(def, "help", "normal", dispatched - hours(1));
  for (auto [name, when, roles] :
       {std::tuple{"accept", dispatched - minutes(30), "operator"}, std::tuple{"dispatch", dispatched, "operator"},
        std::tuple{"sign_for", signed_for, "handler"}}) {
    Command command{name, {{"unit", "V1"}}};
    state = apply(state, decide(state, command, {roles}, when, def, cn()));
  }
  return state;
}

}  // namespace

TEST_CASE("a period is cut into the fewest rollup rows: whole years, months and days, added or subtracted") {
  struct Case {
    const char* first;
    const char* last;
    char coarsest;
    const char* expected;
  };
  const Case cases[] = {
      {"2026-01-01", "2026-12-31", 'y', "y:2026-1-1..1-1 "},
      {"2026-01-01", "2026-12-31", 'm', "m:2026-1-1..1-1 "},
      {"2026-12-01", "2027-01-31", 'y', "m:2026-12-1..2-1 "},
      {"2026-12-01", "2027-01-31", 'd', "d:2026-12-1..2-1 "},
      {"2026-02-10", "2026-02-10", 'y', "d:2026-2-10..2-11 "},
      {"2026-02-01", "2026-02-28", 'y', "m:2026-2-1..3-1 "},
      // A month less a day reads 2 rows, not 27.
      {"2026-02-01", "2026-02-27", 'y', "m:2026-2-1..3-1 -d:2026-2-28..3-1 "},
      {"2026-02-01", "2026-02-27", 'd', "d:2026-2-1..2-28 "},
      // Half a month either way: the days themselves.
      {"2026-02-01", "2026-02-14", 'y', "d:2026-2-1..2-15 "},
      // The benchmark's five years to today: 9 rows (90 as months and days).
      {"2021-12-02", "2026-12-01", 'y',
       "m:2021-12-1..1-1 -d:2021-12-1..12-2 y:2022-1-1..1-1 -m:2026-12-1..1-1 d:2026-12-1..12-2 "},
      // Monthly trends stay within each month: no year rows.
      {"2021-12-02", "2022-03-30", 'm', "m:2021-12-1..1-1 -d:2021-12-1..12-2 m:2022-1-1..4-1 -d:2022-3-31..4-1 "},
      {"2022-03-15", "2026-11-28", 'y',
       "y:2022-1-1..1-1 -m:2022-1-1..3-1 -d:2022-3-1..3-15 y:2023-1-1..1-1 -d:2026-11-29..12-1 -m:2026-12-1..1-1 "},
  };
  for (const auto& c : cases) {
    CAPTURE(c.first, c.last, c.coarsest);
    CHECK(segments_text(cover_period(date_of(c.first), date_of(c.last), c.coarsest)) == c.expected);
  }
}

TEST_CASE("every day of a period counts exactly once, and no day outside it, in fewer rows than days") {
  auto unit_end = [](const PeriodSegment& s, Date from) {
    return s.grain == 'y'   ? Date{sys_days{year_month_day{from} + years{1}}}
           : s.grain == 'm' ? Date{sys_days{year_month_day{from} + months{1}}}
                            : from + days{1};
  };
  for (const char* first : {"2025-12-30", "2026-01-01", "2026-02-28", "2024-02-29", "2021-07-16"})
    for (int length : {0, 1, 13, 16, 27, 30, 31, 59, 200, 365, 400, 1000, 1826})
      for (char coarsest : {'y', 'm', 'd'}) {
        CAPTURE(first, length, coarsest);
        const auto from = date_of(first), to = date_of(first) + days{length};
        std::map<Date, int> counted;
        long rows = 0;
        for (const auto& s : cover_period(from, to, coarsest)) {
          CHECK((s.grain == 'd' || s.grain == 'm' || (s.grain == 'y' && coarsest == 'y')));
          CHECK((coarsest != 'd' || s.grain == 'd'));
          for (Date at = s.from; at < s.until; at = unit_end(s, at)) {
            ++rows;
            for (Date day = at; day < unit_end(s, at); day += days{1}) counted[day] += s.sign;
          }
        }
        for (const auto& [day, count] : counted) CHECK(count == (day >= from && day <= to ? 1 : 0));
        for (Date day = from; day <= to; day += days{1}) CHECK(counted[day] == 1);
        CHECK(rows <= length + 1);
        // Each end at worst half a year of months and half a month of days: 6 + 16 rows.
        if (coarsest == 'y') CHECK(rows <= 2 * (6 + 16) + length / 365 + 1);
      }
}

TEST_CASE("decisions count as the measures their transitions report") {
  const auto& def = petition_v1();
  struct Row {
    const char* transition;
    const char* role;
    std::vector<std::string> measures;
  };
  auto state = initial_state(def, "help", "normal", at("2026-03-02", 9));
  const Row rows[] = {{"accept", "operator", {"accepted"}},       {"dispatch", "operator", {"dispatched"}},
                      {"sign_for", "handler", {"signed_for"}},    {"reply", "handler", {"replied"}},
                      {"callback", "operator", {"satisfaction"}}, {"redo", "manager", {"redone"}}};
  auto when = at("2026-03-02", 10);
  for (const auto& row : rows) {
    CAPTURE(row.transition);
    Command command{
        row.transition,
        {{"unit", "V1"}, {"outcome", "support"}, {"reply", "答复"}, {"satisfaction", "satisfied"}, {"reason", "r"}}};
    auto decision = decide(state, command, {row.role}, when, def, cn());
    std::vector<std::string> measures;
    for (const auto& fact : report_facts(state, decision, def, cn(), at("2026-03-02", 10))) {
      measures.push_back(fact.measure);
      CHECK(fact.intake_unit == (fact.measure == "accepted"));
    }
    CHECK(measures == row.measures);
    state = apply(state, decision);
    when += hours(1);
  }
  Command refuse{"not_accept", {{"reason", "r"}}};
  auto fresh = initial_state(def, "help", "normal", at("2026-03-02", 9));
  auto facts = report_facts(fresh, decide(fresh, refuse, {"operator"}, at("2026-03-02", 9), def, cn()), def, cn(),
                            at("2026-03-02", 9));
  REQUIRE(facts.size() == 1);
  CHECK(facts[0].measure == "not_accepted");
}

TEST_CASE("a reply is on time within the handling limit, and its handling time is in working days") {
  const auto& def = petition_v1();
  // Dispatched Monday 2 March 2026 09:00 and signed for at once: a help matter has 7 working days,
  // ending at 24:00 on Wednesday 11 March.
  const auto dispatched = at("2026-03-02", 9);
  auto state = handling_since(dispatched, dispatched + minutes(30));
  Command reply{"reply", {{"outcome", "support"}, {"reply", "答复"}}};
  struct Case {
    Instant when;
    bool on_time;
  };
  for (auto c : {Case{at("2026-03-11", 17), true}, Case{at("2026-03-12", 9), false}}) {
    auto facts = report_facts(state, decide(state, reply, {"handler"}, c.when, def, cn()), def, cn(), dispatched);
    REQUIRE(facts.size() == 1);
    CHECK(facts[0].on_time == c.on_time);
  }
  // Monday 09:00 to Wednesday 09:00 of the same week: two working days, whatever the working hours.
  auto facts =
      report_facts(state, decide(state, reply, {"handler"}, at("2026-03-04", 9), def, cn()), def, cn(), dispatched);
  CHECK(*facts[0].value == Approx(2.0));
  CHECK(handling_time_bucket(*facts[0].value) == 2);  // (1, 2]
  CHECK(handling_time_bucket(0.2) == 0);
  CHECK(handling_time_bucket(500) == static_cast<int>(handling_time_buckets().size()) - 1);
}

TEST_CASE("a late sign-for is counted late, and satisfaction scores five levels") {
  const auto& def = petition_v1();
  const auto dispatched = at("2026-03-02", 9);  // one working day to sign for: until 24:00 on 3 March
  auto state = initial_state(def, "help", "normal", dispatched - hours(1));
  state = apply(state, decide(state, {"accept", {}}, {"operator"}, dispatched - minutes(30), def, cn()));
  state = apply(state, decide(state, {"dispatch", {{"unit", "V1"}}}, {"operator"}, dispatched, def, cn()));
  auto late = report_facts(state, decide(state, {"sign_for", {}}, {"handler"}, at("2026-03-04", 9), def, cn()), def,
                           cn(), dispatched);
  CHECK(late.at(0).on_time == false);
  auto prompt = report_facts(state, decide(state, {"sign_for", {}}, {"handler"}, at("2026-03-03", 9), def, cn()), def,
                             cn(), dispatched);
  CHECK(prompt.at(0).on_time == true);

  auto handling = handling_since(dispatched, dispatched + minutes(10));
  handling = apply(handling, decide(handling, {"reply", {{"outcome", "support"}, {"reply", "答复"}}}, {"handler"},
                                    at("2026-03-03", 9), def, cn()));
  const auto& levels = satisfaction_levels();
  for (std::size_t i = 0; i < levels.size(); ++i) {
    Command callback{"callback", {{"satisfaction", levels[i]}}};
    auto facts = report_facts(handling, decide(handling, callback, {"operator"}, at("2026-03-03", 10), def, cn()), def,
                              cn(), dispatched);
    REQUIRE(facts.size() == 1);
    CHECK(*facts[0].value == static_cast<double>(5 - i));
  }
}
