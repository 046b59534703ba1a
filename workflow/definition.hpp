#pragma once
// A workflow definition: states, transitions, deadline clocks. Loaded from YAML (schemas/workflows/),
// validated as a whole, and then read-only: several versions can be held at once, and a petition keeps
// the version it started under.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/clock.hpp"

namespace petitiond::workflow {

struct Label {
  std::string zh, en;
};

struct State {
  std::string name;
  Label label;
  bool initial = false;
  bool terminal = false;
  int line = 0;
};

struct Guard {
  std::string kind;                 // "type_is", "before_deadline"
  std::vector<std::string> values;  // types, or one clock name
  int line = 0;
};

struct Transition {
  std::string name;
  Label label;
  std::vector<std::string> from;
  std::string to;
  std::vector<std::string> roles;  // who may take it: operator, proxy, handler, manager, admin, system, petitioner
  std::vector<std::string> required_fields;  // fields the command must carry: reason, comment, outcome, unit, ...
  std::vector<Guard> guards;
  std::vector<std::string> notify;  // who hears of it: petitioner, handlers, managers, district_managers, …
  std::string extends;              // a clock this transition extends by the days requested before (approval)
  std::vector<std::string> report;  // what the managers' reports count it as: accepted, dispatched, replied, …
  int line = 0;
};

struct ClockSpec {
  std::string name;
  Label label;
  std::vector<std::string> start_on;  // entering one of these states starts the clock
  std::vector<std::string> stop_on;   // entering one of these stops it
  std::vector<std::string> pause_in;  // while in one of these it is paused
  std::optional<ClockDuration> default_duration;
  std::map<std::string, ClockDuration> by_type;     // petition type -> duration
  std::map<std::string, ClockDuration> by_urgency;  // urgency -> duration (wins over type)
  std::vector<int> warn_at;                         // percent of the duration
  std::optional<int> max_extension;                 // extensions may add at most this much, in the clock's unit
  bool window = false;  // a window the petitioner (or a unit) may act within, not an obligation: never overdue
  int line = 0;

  // The duration for a petition of this type and urgency, if the definition gives one.
  std::optional<ClockDuration> duration_for(const std::string& type, const std::string& urgency) const;
};

// What happens when a clock reaches a point: at a warning percentage, at its deadline, or some time
// after it, for petitions whose responsible unit sits at one of `levels` (1 = district; empty: any).
struct EscalationRule {
  std::string clock;
  enum class When { warning, breach, after_breach } when = When::breach;
  int percent = 0;                     // warning
  std::optional<ClockDuration> after;  // after_breach
  std::vector<int> levels;
  std::vector<std::pair<std::string, std::string>> actions;  // (action, target), e.g. ("supervise", "parent")
  int line = 0;
};

struct Definition {
  std::string workflow;
  int version = 0;
  std::string file;
  std::vector<std::string> types;  // petition types the durations may vary by
  std::vector<std::string> urgencies;
  std::vector<State> states;
  std::vector<Transition> transitions;
  std::vector<ClockSpec> clocks;
  std::vector<EscalationRule> escalations;

  const State* state(std::string_view name) const;
  const Transition* transition(std::string_view name) const;
  const ClockSpec* clock(std::string_view name) const;
  const State& initial_state() const;
};

struct Problem {
  std::string file;
  int line = 0;
  std::string message;
  std::string to_string() const;  // "file:line: message"
};

// Reads a definition. Problems in the shape of the file (unknown keys, wrong types) and in its meaning
// (unreachable states, transitions to unknown states, dead ends, clocks that never stop, unknown roles,
// missing durations) are all collected; the definition is usable only when `problems` is empty.
struct LoadResult {
  Definition definition;
  std::vector<Problem> problems;
};
LoadResult load_definition(std::string_view yaml, const std::string& file_name);

// The roles, command fields, guards and notification targets a definition may name.
const std::set<std::string>& known_roles();
const std::set<std::string>& known_fields();
const std::set<std::string>& known_report_measures();  // what a transition may count as
const std::set<std::string>& known_guards();
// Escalation actions, and the targets each may name.
const std::map<std::string, std::set<std::string>>& known_escalation_actions();

}  // namespace petitiond::workflow
