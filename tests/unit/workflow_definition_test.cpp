#include <catch2/catch.hpp>

#include "schemas/embedded.hpp"
#include "workflow/definition.hpp"
#include "workflow/graph.hpp"

#include <fstream>
#include <sstream>

using namespace petitiond::workflow;
using Catch::Matchers::Contains;

namespace {

// A small valid definition; tests break one thing at a time.
const std::string valid = R"(workflow: test
version: 1
types: [complaint, consultation]
urgencies: [normal, urgent]
states:
  - name: open
    initial: true
  - name: working
  - name: done
    terminal: true
transitions:
  - name: take
    from: [open]
    to: working
    roles: [handler]
  - name: finish
    from: [working]
    to: done
    roles: [handler]
    requires: [reply]
    guards:
      - before_deadline: handling
clocks:
  - name: handling
    start_on: [working]
    stop_on: [done]
    duration:
      default: {working_days: 15}
      by_type: {consultation: {working_days: 3}}
      by_urgency: {urgent: {working_hours: 2}}
    warn_at: [80]
)";

std::vector<std::string> problems_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& p : load_definition(text, "test.yaml").problems) out.push_back(p.to_string());
  return out;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("a valid definition loads with its durations by type and urgency") {
  auto result = load_definition(valid, "test.yaml");
  CHECK(result.problems.empty());
  const auto& d = result.definition;
  CHECK(d.initial_state().name == "open");
  REQUIRE(d.clock("handling"));
  auto complaint = d.clock("handling")->duration_for("complaint", "normal");
  CHECK(complaint->amount == 15);
  CHECK(d.clock("handling")->duration_for("consultation", "normal")->amount == 3);
  auto urgent = d.clock("handling")->duration_for("consultation", "urgent");
  CHECK(urgent->unit == DurationUnit::working_hours);
  CHECK(d.transition("finish")->required_fields == std::vector<std::string>{"reply"});
}

TEST_CASE("the shipped default definition is valid") {
  for (const auto& file : petitiond::schemas::workflows()) {
    auto result = load_definition(file.content, std::string(file.name));
    CAPTURE(file.name, joined([&] {
              std::vector<std::string> lines;
              for (const auto& p : result.problems) lines.push_back(p.to_string());
              return lines;
            }()));
    CHECK(result.problems.empty());
    CHECK(result.definition.states.size() >= 10);
    // Every type has a handling limit: the work-order one, or the regulation's for a formal petition (v2).
    const auto* statutory = result.definition.clock("statutory");
    for (const auto& type : result.definition.types)
      CHECK((result.definition.clock("handling")->duration_for(type, "normal") ||
             (statutory && statutory->duration_for(type, "normal"))));
  }
}

TEST_CASE("each kind of mistake is reported with the file and line") {
  auto [broken, expected] = GENERATE(table<std::string, std::string>({
      {replace(valid, "    to: working\n", "    to: wroking\n"),
       "test.yaml:12: transition 'take' goes to unknown state 'wroking'"},
      {replace(valid, "    from: [working]", "    from: [workng]"),
       "test.yaml:16: transition 'finish' starts from unknown state 'workng'"},
      {replace(valid, "    roles: [handler]\n    requires", "    roles: [janitor]\n    requires"),
       "unknown role 'janitor'"},
      {replace(valid, "    requires: [reply]", "    requires: [replly]"), "unknown field 'replly'"},
      {replace(valid, "    requires: [reply]", "    requires: [reply]\n    report: [replied, applauded]"),
       "transition 'finish' reports unknown measure 'applauded'"},
      {replace(valid, "      - before_deadline: handling", "      - before_deadline: handlng"),
       "test.yaml:22: guard before_deadline names unknown clock 'handlng'"},
      {replace(valid, "      - before_deadline: handling", "      - after_lunch: yes"), "unknown guard 'after_lunch'"},
      {replace(valid, "    stop_on: [done]", "    stop_on: [open]"), "test.yaml:24: clock 'handling' never stops"},
      {replace(valid, "    stop_on: [done]\n", ""), "clock 'handling' never stops"},
      {replace(valid, "    start_on: [working]\n", ""), "clock 'handling' never starts"},
      {replace(valid, "      default: {working_days: 15}\n", ""),
       "clock 'handling' has no default duration and none for: complaint"},
      {replace(valid, "{working_days: 15}", "{working_weeks: 3}"), "unknown duration unit 'working_weeks'"},
      {replace(valid, "{working_days: 15}", "{working_days: -1}"), "a duration must be a whole number from 0"},
      {replace(valid, "{working_hours: 2}", "{working_hours: 0}"), "a duration must be a whole number from 1"},
      {replace(valid, "    warn_at: [80]", "    warn_at: [80]\n    within: [handlng]"),
       "clock 'handling' runs within unknown clock 'handlng'"},
      {replace(valid, "  - name: take\n", "  - name: take\n    hands: sideways\n"), "'hands' is down or up"},
      {replace(valid, "  - name: take\n", "  - name: take\n    hands: down\n"),
       "hands down but does not require 'unit'"},
      {replace(valid, "      - before_deadline: handling", "      - handed_down: maybe"),
       "guard handed_down is yes or no"},
      {replace(valid, "by_type: {consultation:", "by_type: {consultaton:"), "unknown type 'consultaton'"},
      {replace(valid, "    warn_at: [80]", "    warn_at: [120]"), "warns at 120%"},
      {replace(valid, "    initial: true\n", ""), "exactly one state must be initial"},
      {replace(valid, "  - name: done\n    terminal: true\n", "  - name: done\n  - name: limbo\n"),
       "state 'limbo' cannot be reached"},
      {replace(valid, "  - name: done\n    terminal: true\n", "  - name: done\n"),
       "state 'done' is not terminal but has no way out"},
      {replace(valid, "    roles: [handler]\n    requires", "    requires"), "names no roles"},
      {replace(valid, "  - name: take\n", "  - name: take\n    colour: red\n"), "unknown key 'colour' in a transition"},
      {replace(valid, "version: 1", "version: one"), "positive whole 'version'"},
      {"states: [\n", "not valid YAML"},
  }));
  auto problems = joined(problems_of(broken));
  CAPTURE(broken);
  CHECK_THAT(problems, Contains(expected));
}

TEST_CASE("problems are collected, not just the first") {
  auto broken = replace(replace(valid, "    to: working\n", "    to: nowhere\n"), "    roles: [handler]\n    requires",
                        "    roles: [janitor]\n    requires");
  CHECK(problems_of(broken).size() >= 3);  // unknown state, unknown role, and the unreachable states that follow
}

TEST_CASE("the state graph in docs/ is in step with the shipped definition") {
  for (const auto& file : petitiond::schemas::workflows()) {
    auto name = std::string(file.name);
    name = name.substr(name.rfind('/') + 1);
    name = name.substr(0, name.size() - 5);  // without .yaml
    std::ifstream committed(std::string(PETITIOND_SOURCE_DIR) + "/docs/workflow-" + name + ".dot");
    REQUIRE(committed.good());
    std::stringstream text;
    text << committed.rdbuf();
    auto dot = to_dot(load_definition(file.content, std::string(file.name)).definition);
    INFO("run scripts/render_workflow_graph.sh after changing " << file.name);
    CHECK(text.str() == dot);
    CHECK_THAT(dot, Contains("registered -> accepted") && Contains("peripheries=2"));
  }
}
