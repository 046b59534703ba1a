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
  std::string kind;                 // "type_is", "before_deadline", "handed_down"
  std::vector<std::string> values;  // types; clock names (the first running one counts); yes or no
  int line = 0;
};

struct Transition {
  std::string name;
  Label label;
  std::vector<std::string> from;
  std::string to;
  std::vector<std::string> roles;  // who may take it: operator, proxy, handler, manager, admin, system, petitioner
  std::vector<std::string> required_fields;  // fields the command must carry: reason, comment, outcome, unit, ...
  std::vector<std::string> optional_fields;  // fields it may carry (`accepts`), kept on the timeline when given
  std::vector<Guard> guards;
  std::vector<std::string> notify;   // who hears of it: petitioner, handlers, managers, district_managers, …
  std::vector<std::string> extends;  // clocks this transition extends by what was requested before (approval)
  std::vector<std::string> report;   // what the managers' reports count it as: accepted, dispatched, replied, …
  // Passing the order within the tree (分级交办): down to the unit in `unit` (strictly under the responsible
  // one), or back up to the unit that handed it down.
  enum class Hands { none, down, up } hands = Hands::none;
  // Where it goes instead of `to` when, after it, the order is still handed down and the unit now
  // responsible replies through the unit above (Definition::checked_reply_levels): a reply up for checking.
  std::string to_when_handed_down;
  // Names the body that decides a review: `first`, the one above the unit that replied (复查); `next`, the one
  // above the body that decided the review (复核).
  std::string review_body;
  // Goes back to the state the petition was in before it entered this one (`to` names the usual one).
  bool back = false;
  // Corrects what the petition is (type, category, urgency, place, units complained about) and stays where it is;
  // when the correction names a unit that now has it in hand, it goes to `to_when_accused` instead, unassigned.
  bool reclassifies = false;
  std::string to_when_accused;
  bool stays = false;  // the petition stays in the state it is in (reclassify, a co-handler's part)
  // A co-handling unit's part (协办): `sign` signs for it, `contribute` records its contribution for the lead.
  std::string part;
  std::vector<std::string> notify_when_handed_down;  // who hears of it then (the unit above), instead of `notify`
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
  bool window = false;       // a window the petitioner (or a unit) may act within, not an obligation: never overdue
  bool only_listed = false;  // runs only for the types and urgencies its duration lists
  bool per_unit = false;     // the unit's own clock: restarted when the order is handed down or up
  bool while_handed_down = false;   // runs only while the order is handed down (the lower unit's own limit)
  std::vector<std::string> within;  // never later than these clocks' deadlines (the order's remaining time)
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
  // Levels (1 = the district) whose replies on a handed-down order go up to be checked before they reach the
  // petitioner; empty: every level's.
  std::vector<int> checked_reply_levels;
  // Who is told at the moment a petition of an urgency is registered, whatever the channel (Art 25: an
  // emergency reaches the district leadership at once). The message's topic is `registered_<urgency>`.
  std::map<std::string, std::vector<std::string>> notify_on_registration;
  // How long a co-handling unit has for its contribution, from the dispatch (by urgency, else the default).
  std::optional<ClockDuration> co_handling_default;
  std::map<std::string, ClockDuration> co_handling_by_urgency;

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
