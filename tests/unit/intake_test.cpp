#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/support/shipped.hpp"
#include "workflow/intake.hpp"

using namespace petitiond;
using namespace petitiond::workflow;
using petitiond::test::cn;
using petitiond::test::petition_v1;

namespace {

const Instant monday = at_local(*parse_date("2026-11-30"), std::chrono::hours(10));
const std::set<std::string> operator_role{"operator"};

struct Row {
  const char* what;
  std::string type;
  std::vector<EarlierPetition> earlier;  // newest first
  std::optional<std::string> answer_on_call;
  std::set<std::string> filer_roles;
  // expected
  std::string state;
  std::optional<std::int64_t> repeat_of, concluded_match;
  std::vector<std::string> transitions;
  bool by_system = false;
};

}  // namespace

TEST_CASE("intake decides repeats, refusals of concluded matters and answers on the call from what was found") {
  auto row = GENERATE(values<Row>({
      {"a first petition", "complaint", {}, std::nullopt, operator_role, "registered", {}, {}, {}},
      {"the newest open one is the one it repeats",
       "complaint",
       {{9, "dispatched", true}, {7, "registered", true}, {3, "closed", false}},
       std::nullopt,
       operator_role,
       "registered",
       9,
       {},
       {}},
      {"a closed matter is no repeat",
       "complaint",
       {{3, "closed", false}},
       std::nullopt,
       operator_role,
       "registered",
       {},
       {},
       {}},
      {"an open one older than a closed one is still repeated",
       "complaint",
       {{8, "closed", false}, {5, "accepted", true}},
       std::nullopt,
       operator_role,
       "registered",
       5,
       {},
       {}},
      {"concluded after review: refused by the rules, whoever files it",
       "complaint",
       {{6, "concluded", false}},
       std::nullopt,
       {},
       "not_accepted",
       {},
       6,
       {"not_accept"},
       true},
      {"concluded and open ones: refused, and the open one named as repeated",
       "complaint",
       {{9, "registered", true}, {6, "concluded", false}, {4, "concluded", false}},
       std::nullopt,
       operator_role,
       "not_accepted",
       9,
       6,
       {"not_accept"},
       true},
      {"refusal wins over an answer on the call",
       "consultation",
       {{6, "concluded", false}},
       "已答复",
       operator_role,
       "not_accepted",
       {},
       6,
       {"not_accept"},
       true},
      {"a consultation answered on the call by an operator is closed",
       "consultation",
       {},
       "已当场答复",
       operator_role,
       "closed",
       {},
       {},
       {"answer_on_call"},
       false},
  }));
  INFO(row.what);
  const IntakeRequest request{row.type, "normal", monday, row.earlier, row.answer_on_call, row.filer_roles, {}};
  const auto outcome = decide_intake(petition_v1(), cn(), request);
  CHECK(outcome.state.state == row.state);
  CHECK(outcome.repeat_of == row.repeat_of);
  CHECK(outcome.concluded_match == row.concluded_match);
  REQUIRE(outcome.steps.size() == row.transitions.size());
  for (std::size_t i = 0; i < row.transitions.size(); ++i) {
    CHECK(outcome.steps[i].decision.transition == row.transitions[i]);
    CHECK(outcome.steps[i].by_system == row.by_system);
    CHECK(outcome.steps[i].before.state == "registered");
  }
  if (row.concluded_match)
    CHECK(outcome.steps.front().decision.fields.at("reason").find(std::to_string(*row.concluded_match)) !=
          std::string::npos);
}

TEST_CASE("an answer on the call is refused where the workflow does not allow it") {
  auto [type, roles] = GENERATE(table<std::string, std::set<std::string>>({
      {"complaint", {"operator"}},  // only consultations are answered on the call
      {"consultation", {}},         // only operators answer calls (the portal does not)
      {"consultation", {"proxy"}},
  }));
  const IntakeRequest request{type, "normal", monday, {}, std::string("答复"), roles, {}};
  CHECK_THROWS_AS(decide_intake(petition_v1(), cn(), request), Error);
}
