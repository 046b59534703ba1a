#include <catch2/catch.hpp>
#include <fstream>

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "tests/support/scratch_dir.hpp"
#include "core/error.hpp"
#include "workflow/registry.hpp"

using namespace petitiond;
using namespace petitiond::workflow;

namespace {

Definition definition(int version, std::string extra_state = "") {
  std::string text =
      "workflow: w\nversion: " + std::to_string(version) +
      "\ntypes: [a]\nurgencies: [normal]\nstates:\n  - name: s\n    initial: true\n  - name: e\n    terminal: true\n" +
      extra_state + "transitions:\n  - name: go\n    from: [s]\n    to: e\n    roles: [handler]\n";
  auto result = load_definition(text, "w.yaml");
  REQUIRE(result.problems.empty());
  return result.definition;
}

}  // namespace

TEST_CASE("several versions of a workflow are held at once, new petitions get the newest") {
  WorkflowSet set;
  set.add(definition(1));
  set.add(definition(3));
  set.add(definition(2));
  CHECK(set.newest("w").version == 3);
  CHECK(set.version("w", 1).version == 1);
  CHECK_THROWS_AS(set.add(definition(2)), std::invalid_argument);
  try {
    set.version("w", 9);
    FAIL("expected not_found");
  } catch (const Error& e) {
    CHECK(e.errc() == Errc::not_found);
  }
  CHECK_THROWS_AS(set.newest("other"), Error);
}

TEST_CASE("a unit's calendar falls back to its ancestors' and then to the national one") {
  CalendarSet set;
  set.add(Calendar("cn", {}, {}, {}));
  set.add(Calendar("town-t01", {*parse_date("2026-03-04")}, {}, {}));
  std::vector<std::string> village{"", "town-t01", "district"};  // the village names none; its town does
  CHECK(set.resolve(village).name() == "town-t01");
  std::vector<std::string> elsewhere{"", "", "unknown"};
  CHECK(set.resolve(elsewhere).name() == "cn");
  CalendarSet empty;
  CHECK_THROWS(empty.resolve(elsewhere));
}

TEST_CASE("next year's official dates are added as a file, without a rebuild") {
  test::ScratchDir dir;
  std::ofstream(dir.path() / "cn-2027.yaml") << "calendar: cn\nyear: 2027\nrest_days:\n  - 2027-01-01\n"
                                                "working_days:\n  - 2027-01-03\n";
  std::ofstream(dir.path() / "t01.yaml") << "calendar: t01\nworking_hours: [\"09:00-12:00\", \"13:30-17:00\"]\n";
  auto set = app::load_calendars(dir.path());
  std::vector<std::string> national{"cn"};
  const auto& cn = set.resolve(national);
  CHECK_FALSE(cn.is_working_day(*parse_date("2027-01-01")));  // from the new file
  CHECK(cn.is_working_day(*parse_date("2027-01-03")));        // a Sunday made a working day
  CHECK_FALSE(cn.is_working_day(*parse_date("2026-10-01")));  // the shipped years are still there
  CHECK(cn.slots().size() == 2);
  std::vector<std::string> town{"t01"};
  CHECK(set.resolve(town).slots().front().start == std::chrono::hours(9));

  std::ofstream(dir.path() / "broken.yaml") << "calendar: cn\nyear: 2027\nrest_days: [2027-02-30]\n";
  CHECK_THROWS_WITH(app::load_calendars(dir.path()), Catch::Matchers::Contains("broken.yaml"));
}
