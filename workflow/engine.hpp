#pragma once
// The pure workflow engine: decide(state, command, actor, now, definition) -> decision, or a domain
// error (petitiond::Error) naming what is wrong. apply() folds a decision into the state, so a petition's
// state and clocks can always be recomputed from its history of decisions.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "workflow/calendar.hpp"
#include "workflow/definition.hpp"
#include "workflow/routing.hpp"

namespace petitiond::workflow {

struct ClockRecord {
  std::string name;
  Instant started;
  ClockDuration duration;
  std::vector<Pause> pauses;
  int extension = 0;               // added by approved extensions, in the clock's unit
  std::optional<Instant> stopped;  // set once stopped; a stopped record is kept for history
  std::optional<Instant> cap;      // never later than this: the deadline of the order it runs within

  bool running() const { return !stopped; }
  bool paused() const { return !pauses.empty() && !pauses.back().until; }
};

struct PetitionState {
  std::string state;
  std::string type;     // one of the definition's types
  std::string urgency;  // one of its urgencies
  std::vector<ClockRecord> clocks;
  int requested_extension = 0;  // days asked for by a pending extension request
  std::optional<std::string> responsible_unit;
  std::vector<std::string> handed_down_from;  // the units above that handed it down (分级交办), outermost first
  std::vector<std::string> complained_about;  // units the petition complains about: never responsible for it
  // The oversight unit (纪委监委): an accusation of a unit above it does not reach it (accuses.sql says the same).
  std::optional<std::string> oversight_unit;
  std::optional<std::string> previous_state;  // the state it was in before it entered this one
  std::map<std::string, Instant> entered;     // when it last entered each state it has been in

  bool handed_down() const { return !handed_down_from.empty(); }

  const ClockRecord* running_clock(const std::string& name) const;
};

// A new petition in the definition's initial state, its clocks started at `now`.
PetitionState initial_state(const Definition& definition, std::string type, std::string urgency, Instant now);

struct Command {
  std::string transition;
  std::map<std::string, std::string> fields;  // reason, outcome, unit, satisfaction, days, reply, …
};

struct ClockChange {
  enum class Kind { start, stop, pause, resume, extend, redefine } kind;  // redefine: a new duration, same start
  std::string clock;
  std::optional<ClockDuration> duration;        // start
  int extension = 0;                            // extend, in the clock's unit
  std::optional<Instant> deadline;              // the deadline after the change (none while paused or stopped)
  std::optional<Instant> cap;                   // start, extend: the clock never ends later (the order's deadline)
  std::optional<Instant> since = std::nullopt;  // start: counted from then, not from the decision (reclassification)
};

struct Decision {
  std::string transition;
  std::string from, to;
  Instant at;
  std::map<std::string, std::string> fields;  // the fields the transition asks for (and a comment), for the timeline
  std::vector<ClockChange> clocks;
  std::vector<std::string> notify;
  std::optional<std::string> responsible_unit;  // set when the transition hands the petition to a unit
  Transition::Hands hands = Transition::Hands::none;
  // A reclassification: what the petition is now; `unassigned` when it was taken from a unit it accuses.
  struct Reclassified {
    std::string type, urgency;
    std::vector<std::string> complained_about;
    bool unassigned = false;
  };
  std::optional<Reclassified> reclassified;
};

// Throws Error: not_found (no such transition), conflict (not from this state, or a guard fails),
// forbidden (none of `roles` may take it), invalid_field (a required field missing or malformed, or a
// `unit` that is, or lies under, a unit the petition complains about, or one a hand-down cannot reach —
// checked with `units`, which must know the target unit's and the responsible unit's ancestors).
Decision decide(const PetitionState& state, const Command& command, const std::set<std::string>& roles, Instant now,
                const Definition& definition, const Calendar& calendar, const UnitLookup& units = {});

// The state after a decision.
PetitionState apply(PetitionState state, const Decision& decision);

// The transitions `roles` could take from this state, leaving out those whose type or hand-down guard rules
// them out (deadline guards and fields aside, so that trying says why): what a UI offers.
std::vector<const Transition*> available_transitions(const PetitionState& state, const std::set<std::string>& roles,
                                                     const Definition& definition);

// The fields a transition needs from this petition: `days` is `hours` when the clock an extension would
// lengthen counts hours.
std::vector<std::string> required_fields(const Transition& transition, const PetitionState& state,
                                         const Definition& definition);

// When each escalation rule of a running clock falls due, for a petition whose responsible unit sits at
// `level` (1 = district). Empty while the clock is paused. The scheduler fires each point once.
struct EscalationPoint {
  const EscalationRule* rule;
  Instant due;
};
std::vector<EscalationPoint> escalation_points(const Definition& definition, const Calendar& calendar,
                                               const ClockRecord& clock, int level);

// A running clock's deadline (none while paused or once stopped), and its first warning point.
std::optional<Instant> deadline_of(const ClockRecord& clock, const Calendar& calendar);
std::optional<Instant> first_warning(const ClockRecord& clock, const ClockSpec& spec, const Calendar& calendar);

// What a petition must be done by next: the earliest deadline among its running clocks that are
// obligations (not windows), with that clock's warning point. Empty when nothing runs.
struct Obligation {
  std::optional<Instant> due;
  std::optional<Instant> warn;
  std::string clock;
};
Obligation next_obligation(const PetitionState& state, const Definition& definition, const Calendar& calendar);

// How long a co-handling unit has for its part, from the dispatch; none: no limit set.
std::optional<ClockDuration> co_handling_limit(const Definition& definition, const std::string& urgency);

// Unit codes as a command field lists them: "A,B" (an empty list: ",").
std::vector<std::string> split_codes(const std::string& text);

// Reply outcomes and the national five-level satisfaction scale, as command fields spell them.
const std::vector<std::string>& reply_outcomes();       // support, explain, not_supported
const std::vector<std::string>& satisfaction_levels();  // very_satisfied … very_dissatisfied

}  // namespace petitiond::workflow
