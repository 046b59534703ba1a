#include <catch2/catch.hpp>
#include <deque>
#include <random>

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "workflow/engine.hpp"
#include "core/error.hpp"
#include "tests/support/shipped.hpp"

using namespace petitiond;
using petitiond::test::cn;
using petitiond::test::petition_v1;
using namespace petitiond::workflow;
using namespace std::chrono;

namespace {

const std::set<std::string> all_roles{"operator", "proxy", "handler", "manager", "admin", "system", "petitioner"};

Instant at(const char* day, int hour, int minute = 0) {
  return at_local(*parse_date(day), hours(hour) + minutes(minute));
}

// Fields that satisfy every transition's requirements.
Command full_command(const std::string& transition) {
  return {transition,
          {{"reason", "理由"},
           {"comment", "备注"},
           {"outcome", "support"},
           {"unit", "QS-T01"},
           {"satisfaction", "satisfied"},
           {"days", "5"},
           {"reply", "答复意见"},
           {"parent", "P-1"}}};
}

// The default workflow as the domain brief describes it, typed in independently of the YAML:
// transition -> (from states, to, roles).
struct Expected {
  std::vector<std::string> from;
  std::string to;
  std::set<std::string> roles;
};
const std::map<std::string, Expected> expected_transitions{
    {"accept", {{"registered"}, "accepted", {"operator", "manager", "admin"}}},
    {"not_accept", {{"registered"}, "not_accepted", {"operator", "manager", "admin"}}},
    {"answer_on_call", {{"registered"}, "closed", {"operator"}}},
    {"fast_track", {{"registered"}, "dispatched", {"operator", "manager"}}},
    {"dispatch", {{"accepted"}, "dispatched", {"operator", "manager", "admin"}}},
    {"sign_for", {{"dispatched"}, "handling", {"handler"}}},
    {"return", {{"dispatched"}, "return_requested", {"handler"}}},
    {"accept_return", {{"return_requested"}, "accepted", {"operator", "manager"}}},
    {"reject_return", {{"return_requested"}, "dispatched", {"operator", "manager"}}},
    {"request_documents", {{"handling"}, "awaiting_documents", {"handler"}}},
    {"documents_received", {{"awaiting_documents"}, "handling", {"handler", "operator"}}},
    {"request_extension", {{"handling"}, "extension_requested", {"handler"}}},
    {"approve_extension", {{"extension_requested"}, "handling", {"manager"}}},
    {"reject_extension", {{"extension_requested"}, "handling", {"manager"}}},
    {"reply", {{"handling"}, "replied", {"handler"}}},
    {"callback", {{"replied"}, "closed", {"operator"}}},
    {"redo", {{"replied", "closed"}, "handling", {"operator", "manager"}}},
    {"request_review", {{"closed"}, "reviewing", {"operator", "proxy", "petitioner"}}},
    {"decide_review", {{"reviewing"}, "review_decided", {"manager"}}},
    {"request_re_review", {{"review_decided"}, "re_reviewing", {"operator", "proxy", "petitioner"}}},
    {"decide_re_review", {{"re_reviewing"}, "concluded", {"manager"}}},
    {"merge", {{"registered", "accepted", "dispatched"}, "merged", {"operator", "manager"}}},
};

// A petition brought to `target` by the shortest series of transitions, taken by roles that may.
PetitionState reach(const std::string& target, const std::string& type = "consultation",
                    const std::string& urgency = "normal", Instant start = at("2026-03-02", 9)) {
  const auto& def = petition_v1();
  std::map<std::string, std::pair<std::string, std::string>> came_from;  // state -> (previous, transition)
  std::deque<std::string> queue{def.initial_state().name};
  came_from[def.initial_state().name] = {"", ""};
  while (!queue.empty()) {
    auto state = queue.front();
    queue.pop_front();
    for (const auto& t : def.transitions) {
      bool type_fits = true;  // a path only through transitions open to this type
      for (const auto& g : t.guards)
        if (g.kind == "type_is") type_fits = std::find(g.values.begin(), g.values.end(), type) != g.values.end();
      if (type_fits && std::find(t.from.begin(), t.from.end(), state) != t.from.end() && !came_from.count(t.to)) {
        came_from[t.to] = {state, t.name};
        queue.push_back(t.to);
      }
    }
  }
  std::vector<std::string> path;
  for (auto s = target; !came_from.at(s).second.empty(); s = came_from.at(s).first)
    path.insert(path.begin(), came_from.at(s).second);
  auto state = initial_state(def, type, urgency, start);
  auto now = start;
  for (const auto& name : path) {
    now += minutes(10);
    state = apply(state, decide(state, full_command(name), all_roles, now, def, cn()));
  }
  REQUIRE(state.state == target);
  return state;
}

std::optional<Errc> error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.errc();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("the default definition has exactly the transitions the domain brief describes") {
  CHECK(petition_v1().transitions.size() == expected_transitions.size());
  for (const auto& t : petition_v1().transitions) {
    CAPTURE(t.name);
    REQUIRE(expected_transitions.count(t.name));
    const auto& e = expected_transitions.at(t.name);
    CHECK(t.from == e.from);
    CHECK(t.to == e.to);
    CHECK(std::set<std::string>(t.roles.begin(), t.roles.end()) == e.roles);
  }
}

TEST_CASE("every (state, transition, role) answers as the table says") {
  const auto& def = petition_v1();
  int decided = 0;
  for (const auto& state_def : def.states) {
    auto state = reach(state_def.name);
    for (const auto& [name, expected] : expected_transitions) {
      for (const auto& role : all_roles) {
        CAPTURE(state_def.name, name, role);
        const bool from_here =
            std::find(expected.from.begin(), expected.from.end(), state_def.name) != expected.from.end();
        auto outcome = error_of([&] { decide(state, full_command(name), {role}, at("2026-03-02", 11), def, cn()); });
        if (!from_here) CHECK(outcome == Errc::conflict);
        else if (!expected.roles.count(role)) CHECK(outcome == Errc::forbidden);
        else {
          CHECK_FALSE(outcome.has_value());
          auto decision = decide(state, full_command(name), {role}, at("2026-03-02", 11), def, cn());
          CHECK(decision.to == expected.to);
          ++decided;
        }
      }
    }
  }
  CHECK(decided >= 40);
  CHECK(error_of([&] {
          decide(reach("registered"), full_command("teleport"), all_roles, at("2026-03-02", 11), def, cn());
        }) == Errc::not_found);
}

TEST_CASE("required fields are named when missing or malformed") {
  const auto& def = petition_v1();
  auto handling = reach("handling");
  auto field_of = [&](const std::string& transition, std::map<std::string, std::string> fields) -> std::string {
    try {
      decide(handling, {transition, fields}, all_roles, at("2026-03-02", 11), def, cn());
    } catch (const Error& e) {
      CHECK(e.errc() == Errc::invalid_field);
      return e.field();
    }
    return "(accepted)";
  };
  CHECK(field_of("reply", {{"reply", "答复"}}) == "outcome");
  CHECK(field_of("reply", {{"outcome", "maybe"}, {"reply", "答复"}}) == "outcome");
  CHECK(field_of("reply", {{"outcome", "explain"}}) == "reply");
  CHECK(field_of("request_extension", {{"reason", "复杂"}}) == "days");
  CHECK(field_of("request_extension", {{"reason", "复杂"}, {"days", "-3"}}) == "days");
  CHECK(field_of("request_extension", {{"reason", "复杂"}, {"days", "31"}}) == "days");
  CHECK(field_of("reply", {{"outcome", "not_supported"}, {"reply", "答复"}}) == "(accepted)");
  auto replied = reach("replied");
  CHECK_THROWS_AS(decide(replied, {"callback", {{"satisfaction", "meh"}}}, all_roles, at("2026-03-02", 11), def, cn()),
                  Error);
}

TEST_CASE("guards: consultation-only answers on the call, returns within the objection window") {
  const auto& def = petition_v1();
  auto complaint = reach("registered", "complaint");
  CHECK(error_of([&] {
          decide(complaint, full_command("answer_on_call"), {"operator"}, at("2026-03-02", 10), def, cn());
        }) == Errc::conflict);
  auto dispatched = reach("dispatched", "complaint", "normal", at("2026-03-02", 9));  // Monday
  CHECK_FALSE(
      error_of([&] { decide(dispatched, full_command("return"), {"handler"}, at("2026-03-09", 17), def, cn()); }));
  CHECK(error_of([&] { decide(dispatched, full_command("return"), {"handler"}, at("2026-03-10", 0, 1), def, cn()); }) ==
        Errc::conflict);  // 5 working days ended at 24:00 on Monday the 9th
}

TEST_CASE("clocks start, pause, resume, extend and stop as the petition moves") {
  const auto& def = petition_v1();
  auto state = initial_state(def, "complaint", "normal", at("2026-09-16", 10));
  REQUIRE(state.running_clock("acceptance_notice"));
  auto step = [&](const std::string& name, Instant when, std::map<std::string, std::string> fields = {}) {
    auto command = full_command(name);
    for (auto& [k, v] : fields) command.fields[k] = v;
    auto decision = decide(state, command, all_roles, when, def, cn());
    state = apply(state, decision);
    return decision;
  };
  auto deadline_of = [](const Decision& d, const std::string& clock) -> std::string {
    for (const auto& c : d.clocks)
      if (c.clock == clock && c.deadline) return format_local(*c.deadline);
    return "none";
  };
  step("accept", at("2026-09-16", 11));
  CHECK_FALSE(state.running_clock("acceptance_notice"));
  auto dispatched = step("dispatch", at("2026-09-16", 14));
  CHECK(deadline_of(dispatched, "sign_for") == "2026-09-18T00:00:00+08:00");          // 1 working day
  CHECK(deadline_of(dispatched, "objection_window") == "2026-09-23T00:00:00+08:00");  // 5: 17, 18, 20 (make-up), 21, 22
  auto signed_for = step("sign_for", at("2026-09-17", 9));
  CHECK_FALSE(state.running_clock("sign_for"));
  // Complaint, 15 working days: 18, 20 (make-up), 21-24, 28-30, Oct 8, 9, 10 (make-up), 12, 13, 14.
  CHECK(deadline_of(signed_for, "handling") == "2026-10-15T00:00:00+08:00");

  auto paused = step("request_documents", at("2026-09-21", 10));
  CHECK(state.running_clock("handling")->paused());
  CHECK(deadline_of(paused, "handling") == "none");
  // Paused 330 + 420 + 420 + 330 working minutes (Mon 21 10:00 to Thu 24 16:00): after the end of Oct 14, Oct 15,
  // 16 and 19 take 1260, and the last 240 end at 14:30 on the 20th.
  auto resumed = step("documents_received", at("2026-09-24", 16));
  CHECK(deadline_of(resumed, "handling") == "2026-10-20T14:30:00+08:00");

  step("request_extension", at("2026-09-29", 10), {{"days", "10"}});
  auto approved = step("approve_extension", at("2026-09-29", 15));
  // + 10 working days: 25 end with Oct 28; the paused 1500 minutes run to 14:30 on Nov 3.
  CHECK(deadline_of(approved, "handling") == "2026-11-03T14:30:00+08:00");
  CHECK(state.running_clock("handling")->extension == 10);
  CHECK(error_of([&] { step("request_extension", at("2026-09-30", 10), {{"days", "25"}}); }) == Errc::invalid_field);
  step("request_extension", at("2026-09-30", 10), {{"days", "20"}});
  step("reject_extension", at("2026-09-30", 11));
  CHECK(state.running_clock("handling")->extension == 10);  // refused: nothing added

  auto replied = step("reply", at("2026-10-09", 10));
  CHECK_FALSE(state.running_clock("handling"));
  CHECK(deadline_of(replied, "callback") == "2026-10-11T00:00:00+08:00");  // the make-up Saturday the 10th
  step("callback", at("2026-10-10", 9));
  CHECK(state.state == "closed");
  CHECK(state.running_clock("review_window"));
  auto redone = step("redo", at("2026-10-12", 9));
  CHECK(deadline_of(redone, "handling") != "none");  // a new handling clock for the redo
  CHECK(std::count_if(state.clocks.begin(), state.clocks.end(), [](auto& c) { return c.name == "handling"; }) == 2);
}

TEST_CASE("decisions say whom to notify, the emergency fast track reaches the district managers at once") {
  const auto& def = petition_v1();
  auto fast = decide(reach("registered", "complaint", "emergency"), full_command("fast_track"), {"operator"},
                     at("2026-03-02", 10), def, cn());
  CHECK(fast.to == "dispatched");
  CHECK(std::find(fast.notify.begin(), fast.notify.end(), "district_managers") != fast.notify.end());
  auto dispatched = decide(reach("accepted"), full_command("dispatch"), {"operator"}, at("2026-03-02", 10), def, cn());
  CHECK(dispatched.notify == std::vector<std::string>{"handlers", "petitioner"});
  auto signed_for = decide(reach("dispatched"), full_command("sign_for"), {"handler"}, at("2026-03-02", 10), def, cn());
  CHECK(signed_for.notify.empty());
}

TEST_CASE("urgent petitions get hour limits") {
  auto urgent = reach("dispatched", "complaint", "urgent", at("2026-03-02", 9));
  const auto* sign_for = urgent.running_clock("sign_for");
  REQUIRE(sign_for);
  CHECK(sign_for->duration.unit == DurationUnit::working_hours);
  CHECK(sign_for->duration.amount == 2);
}

TEST_CASE("thousands of random command sequences never reach an invalid state or lose a running clock") {
  const auto& def = petition_v1();
  std::mt19937 random(20261128);
  std::vector<std::string> names;
  for (const auto& t : def.transitions) names.push_back(t.name);
  names.push_back("no_such_action");
  std::vector<std::string> roles(all_roles.begin(), all_roles.end());
  std::uniform_int_distribution<size_t> pick_name(0, names.size() - 1), pick_role(0, roles.size() - 1);
  std::uniform_int_distribution<int> pick_minutes(1, 3 * 24 * 60), coin(0, 3);
  int accepted = 0, refused = 0;
  for (int walk = 0; walk < 2000; ++walk) {
    auto type = def.types[walk % def.types.size()];
    auto urgency = def.urgencies[walk % def.urgencies.size()];
    Instant now = at("2025-12-20", 9) + minutes(walk * 37);
    auto state = initial_state(def, type, urgency, now);
    for (int step = 0; step < 25; ++step) {
      now += minutes(pick_minutes(random));
      auto command = full_command(names[pick_name(random)]);
      if (coin(random) == 0) command.fields.erase(command.fields.begin());  // sometimes a field is missing
      try {
        auto decision = decide(state, command, {roles[pick_role(random)]}, now, def, cn());
        state = apply(state, decision);
        ++accepted;
      } catch (const Error& e) {
        ++refused;
        CHECK((e.errc() == Errc::conflict || e.errc() == Errc::forbidden || e.errc() == Errc::invalid_field ||
               e.errc() == Errc::not_found));
      }
      REQUIRE(def.state(state.state));
      for (const auto& spec : def.clocks) {
        int running = 0;
        for (const auto& clock : state.clocks) running += clock.name == spec.name && clock.running();
        CAPTURE(walk, step, state.state, spec.name);
        REQUIRE(running <= 1);
        const bool in_start = std::find(spec.start_on.begin(), spec.start_on.end(), state.state) != spec.start_on.end();
        const bool in_stop = std::find(spec.stop_on.begin(), spec.stop_on.end(), state.state) != spec.stop_on.end();
        const bool in_pause = std::find(spec.pause_in.begin(), spec.pause_in.end(), state.state) != spec.pause_in.end();
        if (in_start && !in_stop) REQUIRE(running == 1);  // never lost
        if (in_stop) REQUIRE(running == 0);
        if (const auto* clock = state.running_clock(spec.name)) REQUIRE(clock->paused() == in_pause);
      }
    }
  }
  CHECK(accepted > 1000);
  CHECK(refused > 10000);
}

TEST_CASE(
    "escalations: a late village has its town remind and supervise, the district supervises a late town, "
    "and five working days late means public criticism") {
  const auto& def = petition_v1();
  auto state = reach("handling", "complaint", "normal", at("2026-03-02", 9));  // handling from Monday 09:xx
  const auto* clock = state.running_clock("handling");
  REQUIRE(clock);
  auto describe = [](const std::vector<EscalationPoint>& points) {
    std::vector<std::string> out;
    for (const auto& p : points) {
      std::string actions;
      for (const auto& [action, target] : p.rule->actions)
        actions += (actions.empty() ? "" : " ") + action + ":" + target;
      out.push_back(format_local(p.due) + " " + actions);
    }
    return out;
  };
  // Fast-tracked and signed for at 09:20 on Monday 2 March, 15 working days end with Monday 23 March: 370 + 15 × 420
  // working minutes; 80 % of them (5336) is 16:16 on Wednesday 18 March; five working days past the deadline is
  // the end of Monday 30.
  auto village = describe(escalation_points(def, cn(), *clock, 3));
  CHECK(village ==
        std::vector<std::string>{"2026-03-18T16:16:00+08:00 remind:responsible",
                                 "2026-03-24T00:00:00+08:00 remind:parent supervise:parent notify:parent_managers",
                                 "2026-03-31T00:00:00+08:00 list_for_criticism:responsible notify:district_managers"});
  auto town = describe(escalation_points(def, cn(), *clock, 2));
  CHECK(town.at(1) == "2026-03-24T00:00:00+08:00 supervise:district notify:district_managers");

  auto paused =
      apply(state, decide(state, full_command("request_documents"), all_roles, at("2026-03-03", 9), def, cn()));
  CHECK(escalation_points(def, cn(), *paused.running_clock("handling"), 3).empty());
}

TEST_CASE("escalation rules with mistakes are reported") {
  auto with = [](const std::string& escalations) {
    std::string text =
        "workflow: t\nversion: 1\ntypes: [a]\nurgencies: [normal]\nstates:\n  - name: s\n    initial: true\n"
        "  - name: e\n    terminal: true\ntransitions:\n  - name: go\n    from: [s]\n    to: e\n"
        "    roles: [handler]\nclocks:\n  - name: c\n    start_on: [s]\n    stop_on: [e]\n"
        "    duration:\n      default: {working_days: 1}\nescalations:\n" +
        escalations;
    std::string all;
    for (const auto& p : load_definition(text, "t.yaml").problems) all += p.to_string() + "\n";
    return all;
  };
  CHECK(with("  - clock: c\n    when: breach\n    actions: [remind]\n").empty());
  CHECK_THAT(with("  - clock: nope\n    when: breach\n    actions: [remind]\n"),
             Catch::Matchers::Contains("unknown clock 'nope'"));
  CHECK_THAT(with("  - clock: c\n    when: soon\n    actions: [remind]\n"),
             Catch::Matchers::Contains("'when' must be"));
  CHECK_THAT(with("  - clock: c\n    when: breach\n    actions: [scold]\n"),
             Catch::Matchers::Contains("unknown escalation action 'scold'"));
  CHECK_THAT(with("  - clock: c\n    when: breach\n    actions: [{supervise: mayor}]\n"),
             Catch::Matchers::Contains("cannot target 'mayor'"));
  CHECK_THAT(with("  - clock: c\n    when: {warning: 150}\n    actions: [remind]\n"),
             Catch::Matchers::Contains("1 to 99 percent"));
  CHECK_THAT(with("  - clock: c\n    when: breach\n    levels: [0]\n    actions: [remind]\n"),
             Catch::Matchers::Contains("levels count"));
  CHECK_THAT(with("  - clock: c\n    when: breach\n"), Catch::Matchers::Contains("at least one action"));
}

TEST_CASE("a petition is never dispatched to the unit it complains about, nor to one under it") {
  const auto& def = petition_v1();
  const std::map<std::string, UnitInfo> tree{{"D", {"D", "area", 1, std::nullopt}},
                                             {"T1", {"T1", "area", 2, "D"}},
                                             {"V1", {"V1", "area", 3, "T1"}},
                                             {"T2", {"T2", "area", 2, "D"}}};
  UnitLookup units = [&](const std::string& code) -> std::optional<UnitInfo> {
    auto it = tree.find(code);
    return it == tree.end() ? std::nullopt : std::optional<UnitInfo>(it->second);
  };
  auto state = reach("accepted", "complaint");
  state.complained_about = {"T1"};
  for (const char* unit : {"T1", "V1"}) {
    auto command = full_command("dispatch");
    command.fields["unit"] = unit;
    try {
      decide(state, command, all_roles, at("2026-03-02", 11), def, cn(), units);
      FAIL("dispatched to " << unit);
    } catch (const Error& e) {
      CHECK(e.errc() == Errc::invalid_field);
      CHECK(e.field() == "unit");
    }
  }
  auto command = full_command("dispatch");
  command.fields["unit"] = "T2";
  auto decision = decide(state, command, all_roles, at("2026-03-02", 11), def, cn(), units);
  CHECK(decision.responsible_unit == "T2");
  CHECK(apply(state, decision).responsible_unit == "T2");
}
