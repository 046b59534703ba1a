// What an admin sees before activating a new workflow version (the difference from the one in force), and
// which migration mappings of running petitions are accepted: tables of (change to the definition) → reported
// difference, and (mapping) → accepted or the field refused.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/support/shipped.hpp"
#include "workflow/diff.hpp"
#include "workflow/migration.hpp"

using namespace petitiond;
using namespace petitiond::workflow;

namespace {

Definition edited(void (*change)(Definition&)) {
  auto d = test::petition_v2();
  d.version = 100;
  change(d);
  return d;
}

std::string summary(const std::vector<DefinitionChange>& changes) {
  std::string out;
  for (const auto& c : changes)
    out += c.what + " " + c.change + " " + c.name + (c.aspect.empty() ? "" : " " + c.aspect) + " [" + c.before +
           " -> " + c.after + "];";
  return out;
}

}  // namespace

TEST_CASE("the difference between two versions names each change an admin must see") {
  CHECK(diff(test::petition_v2(), test::petition_v2()).empty());
  struct Case {
    const char* what;
    void (*change)(Definition&);
    std::string expected;
  };
  const std::vector<Case> cases{
      {"a limit raised",
       [](Definition& d) {
         for (auto& c : d.clocks)
           if (c.name == "acceptance_notice") c.default_duration->amount = 20;
       },
       "limit changed acceptance_notice default [15 calendar_days -> 20 calendar_days];"},
      {"an urgency's limit added",
       [](Definition& d) {
         for (auto& c : d.clocks)
           if (c.name == "acceptance_notice") c.by_urgency["urgent"] = {DurationUnit::working_days, 3};
       },
       "limit changed acceptance_notice urgency:urgent [ -> 3 working_days];"},
      {"a role taken away",
       [](Definition& d) {
         for (auto& t : d.transitions)
           if (t.name == "accept") t.roles = {"operator"};
       },
       "role changed accept roles [admin, manager, operator -> operator];"},
      {"a transition removed",
       [](Definition& d) { std::erase_if(d.transitions, [](const Transition& t) { return t.name == "take_back"; }); },
       ""},
      {"an escalation rule added",
       [](Definition& d) {
         d.escalations.push_back(
             {"acceptance_notice", EscalationRule::When::warning, 50, std::nullopt, {}, {{"notify", "managers"}}, 0});
       },
       "escalation added acceptance_notice warning 50% [ -> notify managers];"},
      {"a state relabelled", [](Definition& d) { d.states.front().label.zh = "已登记（新）"; },
       "state changed registered label [已登记 / Registered -> 已登记（新） / Registered];"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto changes = diff(test::petition_v2(), edited(c.change));
    if (c.expected.empty()) {
      REQUIRE(changes.size() == 1);
      CHECK(changes.front().what == "transition");
      CHECK(changes.front().change == "removed");
      CHECK(changes.front().name == "take_back");
    } else {
      CHECK(summary(changes) == c.expected);
    }
  }
}

TEST_CASE("a migration mapping is accepted only when every running state has a place and no clock is lost") {
  const auto& from = test::petition_v2();
  struct Case {
    const char* what;
    void (*change)(Definition&);
    std::map<std::string, std::string> given;
    std::string refused_field;  // empty: accepted
  };
  const std::vector<Case> cases{
      {"the same states", [](Definition&) {}, {}, ""},
      {"a state renamed and mapped",
       [](Definition& d) {
         for (auto& s : d.states)
           if (s.name == "accepted") s.name = "taken_in";
       },
       {{"accepted", "taken_in"}},
       ""},
      {"a state renamed and not mapped",
       [](Definition& d) {
         for (auto& s : d.states)
           if (s.name == "accepted") s.name = "taken_in";
       },
       {},
       "migration.states.accepted"},
      {"mapped to a terminal state", [](Definition&) {}, {{"accepted", "concluded"}}, "migration.states.accepted"},
      {"an unknown old state", [](Definition&) {}, {{"nowhere", "accepted"}}, "migration.states.nowhere"},
      {"an unknown new state", [](Definition&) {}, {{"accepted", "nowhere"}}, "migration.states.accepted"},
      {"a clock dropped",
       [](Definition& d) { std::erase_if(d.clocks, [](const ClockSpec& c) { return c.name == "callback"; }); },
       {},
       "migration"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto to = edited(c.change);
    if (c.refused_field.empty()) {
      const auto mapping = migration_mapping(from, to, c.given);
      for (const auto& s : from.states)
        if (!s.terminal) CHECK(mapping.count(s.name));
      continue;
    }
    try {
      migration_mapping(from, to, c.given);
      FAIL("accepted");
    } catch (const Error& e) {
      bool named = false;
      for (const auto& p : e.problems()) named |= p.field == c.refused_field;
      CHECK(named);
    }
  }
  CHECK_THROWS_AS(migration_mapping(from, from, {}), Error);  // to itself
}
