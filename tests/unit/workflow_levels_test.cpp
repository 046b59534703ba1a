// The procedure across district, town and village (petition-v2.yaml): hand-down and back up, replies checked
// by the unit above, and clocks as the regulation counts them. Times are worked out by hand in the comments.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "tests/support/shipped.hpp"
#include "workflow/engine.hpp"
#include "workflow/reporting.hpp"

using namespace petitiond;
using petitiond::test::cn;
using petitiond::test::petition_v2;
using namespace petitiond::workflow;
using namespace std::chrono;

namespace {

Instant at(const char* day, int hour, int minute = 0) {
  return at_local(*parse_date(day), hours(hour) + minutes(minute));
}

// D (district) > T1 (town) > V1, V2 (villages); D > T2; D > SF (department) > FY (legal-aid centre) > FY-T1
// (station) > FY-T1-V1 (contact point).
const std::map<std::string, UnitInfo> tree{
    {"D", {"D", "area", 1, std::nullopt}},
    {"T1", {"T1", "area", 2, "D"}},
    {"V1", {"V1", "area", 3, "T1"}},
    {"V2", {"V2", "area", 3, "T1"}},
    {"T2", {"T2", "area", 2, "D"}},
    {"SF", {"SF", "department", 2, "D"}},
    {"FY", {"FY", "department", 3, "SF"}},
    {"FY-T1", {"FY-T1", "department", 4, "FY"}},
    {"FY-T1-V1", {"FY-T1-V1", "department", 5, "FY-T1"}},
};
const UnitLookup units = [](const std::string& code) -> std::optional<UnitInfo> {
  auto it = tree.find(code);
  return it == tree.end() ? std::nullopt : std::optional<UnitInfo>(it->second);
};

// A petition moved along by commands, each taken with the roles given.
struct Walk {
  const Definition& def = petition_v2();
  PetitionState state;
  Decision last;

  Walk(const std::string& type, const std::string& urgency, Instant registered)
      : state(initial_state(petition_v2(), type, urgency, registered)) {}

  Walk& go(const std::string& transition, std::set<std::string> roles, Instant now,
           std::map<std::string, std::string> fields = {}) {
    last = decide(state, {transition, std::move(fields)}, roles, now, def, cn(), units);
    state = apply(state, last);
    return *this;
  }
  // Registered, accepted, dispatched to `unit` and signed for there.
  Walk& to_handling(const std::string& unit, Instant now) {
    go("accept", {"operator"}, now);
    go("dispatch", {"operator"}, now + minutes(1), {{"unit", unit}});
    return go("sign_for", {"handler"}, now + minutes(2));
  }
  std::string deadline(const std::string& clock) const {
    const auto* record = state.running_clock(clock);
    if (!record) return "not running";
    auto due = deadline_of(*record, cn());
    return due ? format_local(*due) : "paused";
  }
};

std::optional<Errc> refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.errc();
  }
  return std::nullopt;
}

std::vector<std::string> offered(const PetitionState& state, std::set<std::string> roles) {
  std::vector<std::string> names;
  for (const auto* t : available_transitions(state, roles, petition_v2())) names.push_back(t->name);
  return names;
}

}  // namespace

TEST_CASE("the shipped v2 definition is valid and is what new petitions use") {
  for (const auto& file : schemas::workflows()) {
    auto loaded = load_definition(file.content, std::string(file.name));
    std::string problems;
    for (const auto& p : loaded.problems) problems += p.to_string() + "\n";
    CAPTURE(file.name, problems);
    CHECK(loaded.problems.empty());
  }
  CHECK(petition_v2().version == 2);
}

TEST_CASE("hand-down: (state, command, roles) → outcome, as the table says") {
  const Instant t0 = at("2026-03-02", 9);  // a Monday
  struct Row {
    const char* what;
    std::vector<std::pair<std::string, std::string>> before;  // (transition, unit) steps after T1 signs for
    std::string transition;
    std::set<std::string> roles;
    std::map<std::string, std::string> fields;
    std::optional<Errc> refused;
    std::string to, responsible;
    size_t levels_above = 0;
  };
  const std::vector<Row> rows{
      {"a town hands down to its village", {}, "hand_down", {"handler"}, {{"unit", "V1"}}, {}, "dispatched", "V1", 1},
      {"its managers may too", {}, "hand_down", {"manager"}, {{"unit", "V2"}}, {}, "dispatched", "V2", 1},
      {"not to another town", {}, "hand_down", {"handler"}, {{"unit", "T2"}}, Errc::invalid_field, "", "", 0},
      {"not to itself", {}, "hand_down", {"handler"}, {{"unit", "T1"}}, Errc::invalid_field, "", "", 0},
      {"not without a unit", {}, "hand_down", {"handler"}, {}, Errc::invalid_field, "", "", 0},
      {"not by an operator", {}, "hand_down", {"operator"}, {{"unit", "V1"}}, Errc::forbidden, "", "", 0},
      {"the village returns it up",
       {{"hand_down", "V1"}},
       "return_up",
       {"handler"},
       {{"reason", "非本村"}},
       {},
       "handling",
       "T1",
       0},
      {"not with the dispatcher's return",
       {{"hand_down", "V1"}},
       "return",
       {"handler"},
       {{"reason", "x"}},
       Errc::conflict,
       "",
       "",
       0},
      {"a top-level order cannot be returned up",
       {},
       "take_back",
       {"upper"},
       {{"reason", "x"}},
       Errc::conflict,
       "",
       "",
       0},
      {"the town takes it back",
       {{"hand_down", "V1"}, {"sign_for", ""}},
       "take_back",
       {"upper"},
       {{"reason", "x"}},
       {},
       "handling",
       "T1",
       0},
      {"the village cannot take it back",
       {{"hand_down", "V1"}, {"sign_for", ""}},
       "take_back",
       {"handler"},
       {{"reason", "x"}},
       Errc::forbidden,
       "",
       "",
       0},
      {"the village's reply goes up",
       {{"hand_down", "V1"}, {"sign_for", ""}},
       "reply",
       {"handler"},
       {{"outcome", "support"}, {"reply", "已解决"}},
       {},
       "reply_checking",
       "V1",
       1},
      {"the town's own reply goes out",
       {},
       "reply",
       {"handler"},
       {{"outcome", "support"}, {"reply", "已解决"}},
       {},
       "replied",
       "T1",
       0},
      {"the town approves it: out to the petitioner",
       {{"hand_down", "V1"}, {"sign_for", ""}, {"reply", ""}},
       "approve_reply",
       {"upper"},
       {},
       {},
       "replied",
       "T1",
       0},
      {"or sends it back",
       {{"hand_down", "V1"}, {"sign_for", ""}, {"reply", ""}},
       "send_back",
       {"upper"},
       {{"reason", "不完整"}},
       {},
       "handling",
       "V1",
       1},
      {"the village cannot approve its own reply",
       {{"hand_down", "V1"}, {"sign_for", ""}, {"reply", ""}},
       "approve_reply",
       {"handler", "manager"},
       {},
       Errc::forbidden,
       "",
       "",
       0},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    Walk walk("complaint", "normal", t0);
    walk.to_handling("T1", t0);
    Instant now = t0 + hours(1);
    for (const auto& [transition, unit] : row.before) {
      std::map<std::string, std::string> fields{{"reason", "理由"}, {"outcome", "support"}, {"reply", "答复"}};
      if (!unit.empty()) fields["unit"] = unit;
      walk.go(transition, {"handler", "upper"}, now += minutes(5), fields);
    }
    auto outcome = refusal([&] { walk.go(row.transition, row.roles, now + minutes(5), row.fields); });
    CHECK(outcome == row.refused);
    if (row.refused) continue;
    CHECK(walk.state.state == row.to);
    CHECK(walk.state.responsible_unit == row.responsible);
    CHECK(walk.state.handed_down_from.size() == row.levels_above);
  }
}

TEST_CASE("who hears of a hand-down step, and what is offered to whom") {
  const Instant t0 = at("2026-03-02", 9);
  Walk walk("complaint", "normal", t0);
  walk.to_handling("T1", t0);
  walk.go("hand_down", {"handler"}, t0 + hours(1), {{"unit", "V1"}});
  CHECK(walk.last.notify == std::vector<std::string>{"handlers"});
  // The village is offered the way back up, not the dispatcher's return.
  CHECK(offered(walk.state, {"handler"}) == std::vector<std::string>{"sign_for", "return_up"});
  CHECK(offered(walk.state, {"upper"}) == std::vector<std::string>{"take_back", "remind"});
  walk.go("sign_for", {"handler"}, t0 + hours(2));
  walk.go("reply", {"handler"}, t0 + hours(3), {{"outcome", "explain"}, {"reply", "已说明"}});
  CHECK(walk.last.notify == std::vector<std::string>{"upper"});  // not yet the petitioner
  CHECK(offered(walk.state, {"upper"}) == std::vector<std::string>{"approve_reply", "send_back", "remind"});
  walk.go("approve_reply", {"upper"}, t0 + hours(4));
  CHECK(walk.last.notify == std::vector<std::string>{"petitioner", "operators"});
  // A help petition is never offered an answer on the call.
  Walk help("help", "normal", t0);
  auto names = offered(help.state, {"operator"});
  CHECK(std::find(names.begin(), names.end(), "answer_on_call") == names.end());
}

TEST_CASE("legal aid two levels down and back up: each level checks the reply below it") {
  const Instant t0 = at("2026-03-02", 9);
  Walk walk("legal_aid", "normal", t0);
  walk.to_handling("FY", t0);
  walk.go("hand_down", {"handler"}, t0 + hours(1), {{"unit", "FY-T1"}});
  walk.go("sign_for", {"handler"}, t0 + hours(2));
  walk.go("hand_down", {"handler"}, t0 + hours(3), {{"unit", "FY-T1-V1"}});
  CHECK(walk.state.handed_down_from == std::vector<std::string>{"FY", "FY-T1"});
  walk.go("sign_for", {"handler"}, t0 + hours(4));
  walk.go("reply", {"handler"}, t0 + hours(5), {{"outcome", "support"}, {"reply", "已受理援助"}});
  CHECK(walk.state.state == "reply_checking");
  walk.go("approve_reply", {"upper"}, t0 + hours(6));  // the station passes it up to the centre
  CHECK(walk.state.state == "reply_checking");
  CHECK(walk.state.responsible_unit == "FY-T1");
  CHECK(walk.last.notify == std::vector<std::string>{"upper"});
  walk.go("approve_reply", {"upper"}, t0 + hours(7));  // the centre replies to the petitioner
  CHECK(walk.state.state == "replied");
  CHECK(walk.state.responsible_unit == "FY");
  CHECK(walk.state.handed_down_from.empty());
}

TEST_CASE("levels whose replies are not checked reply straight to the petitioner") {
  auto def = petition_v2();
  def.checked_reply_levels = {3};  // villages only
  const Instant t0 = at("2026-03-02", 9);
  PetitionState state = initial_state(def, "legal_aid", "normal", t0);
  auto go = [&](const std::string& name, std::map<std::string, std::string> fields) {
    state = apply(state, decide(state, {name, fields}, {"operator", "handler"}, t0 + hours(1), def, cn(), units));
  };
  go("accept", {});
  go("dispatch", {{"unit", "FY"}});
  go("sign_for", {});
  go("hand_down", {{"unit", "FY-T1"}});
  go("sign_for", {});
  go("reply", {{"outcome", "support"}, {"reply", "x"}});
  CHECK(state.state == "replied");  // a level-4 station is not checked here
}

TEST_CASE("the lower unit's clocks run inside the order's remaining time") {
  // T1 signs for a complaint on Monday 2 March: 15 working days end with Monday 23 March.
  const Instant t0 = at("2026-03-02", 9);
  Walk walk("complaint", "normal", t0);
  walk.to_handling("T1", t0);
  CHECK(walk.deadline("handling") == "2026-03-24T00:00:00+08:00");
  CHECK(walk.deadline("sub_handling") == "not running");
  // Handed down on Friday 20 March: the village has 1 working day to sign for, to the end of Monday 23rd.
  walk.go("hand_down", {"handler"}, at("2026-03-20", 10), {{"unit", "V1"}});
  CHECK(walk.deadline("sign_for") == "2026-03-24T00:00:00+08:00");
  CHECK(walk.deadline("handling") == "2026-03-24T00:00:00+08:00");  // the order's clock runs on
  walk.go("sign_for", {"handler"}, at("2026-03-20", 11));
  // Its own 5 working days would end on Friday 27th; the order ends on the 23rd, and so does it.
  CHECK(walk.deadline("sub_handling") == "2026-03-24T00:00:00+08:00");
  // An extension of 3 days lengthens the order and the village's limit with it.
  walk.go("request_extension", {"handler"}, at("2026-03-20", 14), {{"reason", "需调查"}, {"days", "3"}});
  walk.go("approve_extension", {"manager"}, at("2026-03-20", 15));
  CHECK(walk.deadline("handling") == "2026-03-27T00:00:00+08:00");      // + 24, 25, 26
  CHECK(walk.deadline("sub_handling") == "2026-03-27T00:00:00+08:00");  // its own would end 1 April: capped
  // Back up at the town: the village's clock stops; the town's own limit is the order's.
  walk.go("take_back", {"upper"}, at("2026-03-23", 9), {{"reason", "收回"}});
  CHECK(walk.deadline("sub_handling") == "not running");
}

TEST_CASE("clocks as the law counts them") {
  SECTION("a formal petition: 60 days from acceptance, whatever happens between (Art 34)") {
    Walk walk("formal", "normal", at("2026-02-27", 9));
    walk.go("accept", {"operator"}, at("2026-03-02", 10));
    // 2 March + 60 days is Friday 1 May, a rest day to the 5th: the end of Wednesday 6 May.
    CHECK(walk.deadline("statutory") == "2026-05-07T00:00:00+08:00");
    CHECK(walk.deadline("dispatch") == "2026-03-04T00:00:00+08:00");  // dispatched within 1 working day
    walk.go("dispatch", {"operator"}, at("2026-03-03", 10), {{"unit", "T1"}});
    CHECK(walk.deadline("dispatch") == "not running");
    walk.go("sign_for", {"handler"}, at("2026-03-05", 10));
    CHECK(walk.deadline("handling") == "not running");  // no second limit counted from the sign-for
    CHECK(walk.deadline("statutory") == "2026-05-07T00:00:00+08:00");
  }
  SECTION("an accepted, undispatched petition is late after a working day, and escalates") {
    Walk walk("help", "normal", at("2026-03-06", 16));  // a Friday
    walk.go("accept", {"operator"}, at("2026-03-06", 16, 30));
    CHECK(walk.deadline("dispatch") == "2026-03-10T00:00:00+08:00");  // the end of Monday 9th
    auto points = escalation_points(walk.def, cn(), *walk.state.running_clock("dispatch"), 1);
    REQUIRE(points.size() == 2);
    CHECK(format_local(points.back().due) == "2026-03-10T00:00:00+08:00");
    CHECK(points.back().rule->actions.back() == std::pair<std::string, std::string>{"notify", "managers"});
  }
  SECTION("the 15-day acceptance clock warns the operators, then tells the managers") {
    Walk walk("help", "normal", at("2026-03-02", 10));
    auto points = escalation_points(walk.def, cn(), *walk.state.running_clock("acceptance_notice"), 2);
    REQUIRE(points.size() == 2);
    CHECK(points[0].rule->actions.front() == std::pair<std::string, std::string>{"notify", "operators"});
    CHECK(format_local(points[1].due) == "2026-03-18T00:00:00+08:00");  // 2 March + 15 days: the end of the 17th
    CHECK(points[1].rule->actions.front() == std::pair<std::string, std::string>{"notify", "managers"});
  }
  SECTION("urgent: the same working day") {
    Walk monday("complaint", "urgent", at("2026-03-02", 9));
    monday.to_handling("T1", at("2026-03-02", 9));
    CHECK(monday.deadline("handling") == "2026-03-03T00:00:00+08:00");
    Walk saturday("complaint", "urgent", at("2026-03-07", 9));  // an ordinary Saturday: Monday's end
    saturday.to_handling("T1", at("2026-03-07", 9));
    CHECK(saturday.deadline("handling") == "2026-03-10T00:00:00+08:00");
    Walk make_up("complaint", "urgent", at("2026-02-28", 9));  // a make-up working Saturday: its own end
    make_up.to_handling("T1", at("2026-02-28", 9));
    CHECK(make_up.deadline("handling") == "2026-03-01T00:00:00+08:00");
  }
  SECTION("an emergency: 24 hours around the clock from registration, nights and holidays included") {
    Walk walk("help", "emergency", at("2026-09-30", 20));  // the eve of the National Day holiday
    CHECK(walk.deadline("emergency") == "2026-10-01T20:00:00+08:00");
    auto points = escalation_points(walk.def, cn(), *walk.state.running_clock("emergency"), 1);
    REQUIRE(points.size() == 2);
    CHECK(format_local(points[0].due) == "2026-10-01T08:00:00+08:00");  // 50 %: twelve hours in
    Walk normal("help", "normal", at("2026-09-30", 20));
    CHECK(normal.deadline("emergency") == "not running");
  }
  SECTION("an extension on an hour clock is asked for and given in hours") {
    Walk walk("complaint", "emergency", at("2026-03-02", 9));
    walk.to_handling("T1", at("2026-03-02", 9));
    CHECK(walk.deadline("handling") == "2026-03-03T09:02:00+08:00");
    const auto* request = walk.def.transition("request_extension");
    CHECK(required_fields(*request, walk.state, walk.def) == std::vector<std::string>{"reason", "hours"});
    CHECK(refusal([&] {
            walk.go("request_extension", {"handler"}, at("2026-03-02", 12), {{"reason", "x"}, {"days", "2"}});
          }) == Errc::invalid_field);
    walk.go("request_extension", {"handler"}, at("2026-03-02", 12), {{"reason", "夜间无法入户"}, {"hours", "6"}});
    walk.go("approve_extension", {"manager"}, at("2026-03-02", 13));
    CHECK(walk.deadline("handling") == "2026-03-03T15:02:00+08:00");
  }
  SECTION("a pause counts in working minutes, not whole days") {
    Walk walk("help", "normal", at("2026-03-02", 9));
    walk.to_handling("T1", at("2026-03-02", 9));  // 7 working days: the end of Wednesday 11 March
    CHECK(walk.deadline("handling") == "2026-03-12T00:00:00+08:00");
    walk.go("request_documents", {"handler"}, at("2026-03-03", 10), {{"reason", "缺证明"}});
    walk.go("documents_received", {"handler"}, at("2026-03-03", 15));  // 10:00-12:00 and 14:00-15:00: 180 minutes
    CHECK(walk.deadline("handling") == "2026-03-12T11:30:00+08:00");   // 08:30 on the 12th + 3 hours
    walk.go("request_documents", {"handler"}, at("2026-03-04", 8, 30), {{"reason", "缺证明"}});
    walk.go("documents_received", {"handler"}, at("2026-03-04", 17, 30));  // the whole working day: 420 more
    CHECK(walk.deadline("handling") == "2026-03-13T11:30:00+08:00");
  }
  SECTION("a warning comes before the deadline, at its share of the working time") {
    Walk walk("complaint", "normal", at("2026-03-02", 9));
    walk.go("accept", {"operator"}, at("2026-03-02", 9, 30));
    walk.go("dispatch", {"operator"}, at("2026-03-02", 10), {{"unit", "T1"}});
    // 1 working day from Monday 10:00 is 330 + 420 working minutes; half is 375: Tuesday 09:15.
    const auto& spec = *walk.def.clock("sign_for");
    const auto* clock = walk.state.running_clock("sign_for");
    CHECK(walk.deadline("sign_for") == "2026-03-04T00:00:00+08:00");
    CHECK(format_local(*first_warning(*clock, spec, cn())) == "2026-03-03T09:15:00+08:00");
  }
  SECTION("the review window runs from the reply, not from the callback") {
    Walk walk("help", "normal", at("2026-03-02", 9));
    walk.to_handling("T1", at("2026-03-02", 9));
    walk.go("reply", {"handler"}, at("2026-03-05", 10), {{"outcome", "support"}, {"reply", "已解决"}});
    // 5 March + 30 days is Saturday 4 April, a rest day to the 6th: the end of Tuesday 7 April.
    CHECK(walk.deadline("review_window") == "2026-04-08T00:00:00+08:00");
    walk.go("callback", {"operator"}, at("2026-03-20", 10), {{"satisfaction", "dissatisfied"}});
    CHECK(walk.deadline("review_window") == "2026-04-08T00:00:00+08:00");
  }
}

TEST_CASE("a review and a re-review are decided by the body named for them, never by the unit that replied") {
  const Instant t0 = at("2026-03-02", 9);
  Walk walk("help", "normal", t0);
  walk.to_handling("T1", t0);
  walk.go("reply", {"handler"}, t0 + hours(1), {{"outcome", "support"}, {"reply", "已解决"}});
  walk.go("request_review", {"petitioner"}, t0 + hours(2), {{"reason", "不满意"}});
  CHECK(walk.def.transition("request_review")->review_body == "first");
  CHECK(walk.last.notify == std::vector<std::string>{"reviewers"});
  for (const std::set<std::string>& roles : {std::set<std::string>{"manager"}, {"handler"}, {"upper"}, {"operator"}})
    CHECK(refusal([&] {
            walk.go("decide_review", roles, t0 + hours(3), {{"outcome", "explain"}, {"reply", "维持"}});
          }) == Errc::forbidden);
  walk.go("decide_review", {"reviewer"}, t0 + hours(3), {{"outcome", "explain"}, {"reply", "维持"}});
  walk.go("request_re_review", {"proxy"}, t0 + hours(4), {{"reason", "仍不满意"}});
  CHECK(walk.def.transition("request_re_review")->review_body == "next");
  CHECK(refusal([&] {
          walk.go("decide_re_review", {"manager"}, t0 + hours(5), {{"outcome", "explain"}, {"reply", "维持"}});
        }) == Errc::forbidden);
  walk.go("decide_re_review", {"reviewer"}, t0 + hours(5), {{"outcome", "explain"}, {"reply", "维持"}});
  CHECK(walk.state.state == "concluded");
}

TEST_CASE("reclassify: (correction) → the clocks and the hands the petition is in") {
  const Instant t0 = at("2026-03-02", 9);
  SECTION("a help request that is a complaint: 7 working days become 15, from the same start") {
    Walk walk("help", "normal", t0);
    walk.to_handling("T1", t0);
    CHECK(walk.deadline("handling") == "2026-03-12T00:00:00+08:00");
    walk.go("reclassify", {"operator"}, t0 + hours(1), {{"reason", "实为投诉"}, {"type", "complaint"}});
    CHECK(walk.state.state == "handling");
    CHECK(walk.state.type == "complaint");
    CHECK(walk.deadline("handling") == "2026-03-24T00:00:00+08:00");
    walk.go("reclassify", {"manager"}, t0 + hours(2), {{"reason", "情况紧急"}, {"urgency", "urgent"}});
    CHECK(walk.deadline("handling") == "2026-03-03T00:00:00+08:00");  // the same working day as it started
  }
  SECTION("a formal petition found among hotline orders gets its 60 days from acceptance") {
    Walk walk("help", "normal", t0);
    walk.go("accept", {"operator"}, t0 + minutes(5));
    walk.go("reclassify", {"operator"}, t0 + hours(1), {{"reason", "属信访事项"}, {"type", "formal"}});
    // From the acceptance: 2 March + 60 days is 1 May, a rest day to the 5th: the end of Wednesday 6 May.
    CHECK(walk.deadline("statutory") == "2026-05-07T00:00:00+08:00");
  }
  SECTION("naming the unit that has it as complained about takes it from that unit") {
    Walk walk("help", "normal", t0);
    walk.to_handling("T1", t0);
    walk.go("hand_down", {"handler"}, t0 + hours(1), {{"unit", "V1"}});
    walk.go("reclassify", {"operator"}, t0 + hours(2),
            {{"reason", "反映村干部"}, {"type", "complaint"}, {"complained_units", "V1"}});
    CHECK(walk.state.state == "accepted");
    CHECK_FALSE(walk.state.responsible_unit);
    CHECK(walk.state.handed_down_from.empty());
    CHECK(walk.deadline("sign_for") == "not running");
    CHECK(walk.deadline("dispatch") != "not running");  // to be dispatched again, elsewhere
    CHECK(refusal([&] { walk.go("dispatch", {"operator"}, t0 + hours(3), {{"unit", "V1"}}); }) == Errc::invalid_field);
  }
  SECTION("a correction names something to correct, and only known values") {
    Walk walk("help", "normal", t0);
    CHECK(refusal([&] { walk.go("reclassify", {"operator"}, t0, {{"reason", "x"}}); }) == Errc::invalid_field);
    CHECK(refusal([&] {
            walk.go("reclassify", {"operator"}, t0, {{"reason", "x"}, {"type", "rumour"}});
          }) == Errc::invalid_field);
    CHECK(refusal([&] {
            walk.go("reclassify", {"handler"}, t0, {{"reason", "x"}, {"type", "report"}});
          }) == Errc::forbidden);
  }
}

TEST_CASE("a co-handler's part: signed for, then contributed, the petition staying where it is") {
  const Instant t0 = at("2026-03-02", 9);
  Walk walk("help", "normal", t0);
  walk.to_handling("T1", t0);
  CHECK(offered(walk.state, {"co_signer"}) == std::vector<std::string>{"co_sign_for"});
  CHECK(offered(walk.state, {"co_handler"}) == std::vector<std::string>{"contribute"});
  walk.go("co_sign_for", {"co_signer"}, t0 + hours(1));
  CHECK(walk.state.state == "handling");
  CHECK(refusal([&] { walk.go("contribute", {"co_handler"}, t0 + hours(2)); }) == Errc::invalid_field);
  walk.go("contribute", {"co_handler"}, t0 + hours(2), {{"contribution", "已核实"}});
  CHECK(walk.state.state == "handling");
  CHECK(walk.last.fields.at("contribution") == "已核实");
  CHECK(refusal([&] { walk.go("co_sign_for", {"handler"}, t0 + hours(3)); }) == Errc::forbidden);
  CHECK(co_handling_limit(walk.def, "normal")->amount == 5);
}

TEST_CASE("remind: (state, roles) → offered or not; a chase moves neither the petition nor its clocks") {
  const Instant t0 = at("2026-03-02", 9);
  const std::set<std::string> chasing{"dispatched", "handling", "awaiting_documents", "extension_requested",
                                      "reply_checking"};
  Walk walk("help", "normal", t0);
  walk.to_handling("T1", t0);
  for (const auto& s : walk.def.states) {
    PetitionState in = walk.state;
    in.state = s.name;
    for (const std::set<std::string>& roles : std::vector<std::set<std::string>>{
             {"operator"}, {"manager"}, {"upper"}, {"handler"}, {"proxy"}, {"petitioner"}, {"co_handler"}}) {
      auto names = offered(in, roles);
      const bool may = chasing.contains(s.name) && !roles.contains("handler") && !roles.contains("proxy") &&
                       !roles.contains("petitioner") && !roles.contains("co_handler");
      CAPTURE(s.name, *roles.begin());
      CHECK((std::find(names.begin(), names.end(), "remind") != names.end()) == may);
    }
  }
  const auto due = walk.deadline("handling");
  const auto before = walk.state;
  walk.go("remind", {"manager"}, t0 + hours(30), {{"comment", "请本周内答复"}});
  CHECK(walk.state.state == "handling");
  CHECK(walk.deadline("handling") == due);
  CHECK(walk.last.notify == std::vector<std::string>{"handlers"});
  auto facts = report_facts(before, walk.last, walk.def, cn(), t0);
  REQUIRE(facts.size() == 1);
  CHECK(facts[0].measure == "reminded");
  CHECK_FALSE(facts[0].intake_unit);  // counted for the unit responsible
  CHECK(refusal([&] { walk.go("remind", {"handler"}, t0 + hours(31)); }) == Errc::forbidden);
  walk.go("reply", {"handler"}, t0 + hours(32), {{"outcome", "support"}, {"reply", "已解决"}});
  CHECK(refusal([&] { walk.go("remind", {"operator"}, t0 + hours(33)); }) == Errc::conflict);
}

TEST_CASE("reclassified into a limit it never ran, a petition counts it from when it would have started") {
  const Instant t0 = at("2026-03-02", 9);
  Walk walk("help", "normal", t0);
  walk.to_handling("T1", t0);  // accepted 09:00 on Monday 2 March, signed for 09:02
  walk.go("reclassify", {"operator"}, at("2026-03-10", 10), {{"reason", "属信访事项"}, {"type", "formal"}});
  CHECK(walk.deadline("handling") == "not running");                 // no work-order limit for a formal petition
  CHECK(walk.deadline("statutory") == "2026-05-07T00:00:00+08:00");  // 60 days from acceptance, not from now
  CHECK(walk.state.running_clock("statutory")->started == t0);
  walk.go("reclassify", {"operator"}, at("2026-03-11", 10), {{"reason", "实为求助"}, {"type", "help"}});
  CHECK(walk.deadline("statutory") == "not running");
  CHECK(walk.deadline("handling") == "2026-03-12T00:00:00+08:00");  // back to 7 working days from the sign-for
}
