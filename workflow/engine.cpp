#include "workflow/engine.hpp"

#include <algorithm>
#include <charconv>

using namespace std::chrono;

#include "workflow/clock.hpp"
#include "core/error.hpp"

namespace petitiond::workflow {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool contains_level(const std::vector<int>& levels, int level) {
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

std::string label_or_name(const Label& label, const std::string& name) { return label.zh.empty() ? name : label.zh; }

// The clock an extension lengthens first: the first running one that limits its extensions.
const ClockRecord* extension_clock(const PetitionState& state, const Definition& definition) {
  for (const auto& spec : definition.clocks)
    if (const auto* clock = state.running_clock(spec.name); clock && spec.max_extension) return clock;
  return nullptr;
}

bool counts_hours(DurationUnit unit) { return unit == DurationUnit::working_hours || unit == DurationUnit::hours; }

void check_fields(const Transition& transition, const Command& command, const PetitionState& state,
                  const Definition& definition, Instant now) {
  for (const auto& field : required_fields(transition, state, definition)) {
    auto it = command.fields.find(field);
    if (it == command.fields.end() || it->second.empty())
      throw Error(Errc::invalid_field, "is required to " + transition.name, field);
  }
  if (auto it = command.fields.find("outcome"); it != command.fields.end() && !contains(reply_outcomes(), it->second))
    throw Error(Errc::invalid_field, "must be support, explain or not_supported", "outcome");
  if (auto it = command.fields.find("satisfaction");
      it != command.fields.end() && !contains(satisfaction_levels(), it->second))
    throw Error(Errc::invalid_field,
                "must be very_satisfied, satisfied, basically_satisfied, dissatisfied or very_dissatisfied",
                "satisfaction");
  if (auto it = command.fields.find("date"); it != command.fields.end()) {
    auto day = parse_date(it->second);
    if (!day) throw Error(Errc::invalid_field, "must be a date such as 2026-11-28", "date");
    if (*day > local_date(now)) throw Error(Errc::invalid_field, "lies in the future", "date");
  }
  for (const std::string unit : {"days", "hours"}) {
    auto it = command.fields.find(unit);
    if (it == command.fields.end()) continue;
    int amount = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), amount);
    if (ec != std::errc{} || end != it->second.data() + it->second.size() || amount < 1)
      throw Error(Errc::invalid_field, "must be a whole number of " + unit + ", at least 1", unit);
    // What is requested counts against every running clock that limits its extensions, in its own unit.
    for (const auto& spec : definition.clocks) {
      const auto* clock = state.running_clock(spec.name);
      if (!clock || !spec.max_extension || counts_hours(clock->duration.unit) != (unit == "hours")) continue;
      int left = *spec.max_extension - clock->extension;
      if (amount > left)
        throw Error(Errc::invalid_field,
                    "extensions may add " + std::to_string(*spec.max_extension) + " " + unit + " in all; " +
                        std::to_string(std::max(0, left)) + " remain",
                    unit);
    }
  }
}

// The guards that depend on what the petition is, not on when: they decide what is offered at all.
std::optional<std::string> structural_refusal(const Transition& transition, const PetitionState& state) {
  for (const auto& guard : transition.guards) {
    if (guard.kind == "type_is" && !contains(guard.values, state.type))
      return transition.name + " is only for petitions of type " + guard.values.front();
    if (guard.kind == "handed_down" && state.handed_down() != (guard.values.front() == "yes"))
      return transition.name + (state.handed_down() ? " is not for an order handed down to this unit"
                                                    : " is only for an order handed down from a unit above");
  }
  return std::nullopt;
}

void check_guards(const Transition& transition, const PetitionState& state, Instant now, const Calendar& calendar) {
  if (auto refusal = structural_refusal(transition, state)) throw Error(Errc::conflict, *refusal);
  for (const auto& guard : transition.guards) {
    if (guard.kind != "before_deadline") continue;
    const ClockRecord* clock = nullptr;
    for (const auto& name : guard.values)
      if (!clock) clock = state.running_clock(name);
    if (!clock) throw Error(Errc::conflict, transition.name + " needs the " + guard.values.front() + " clock running");
    auto deadline = deadline_of(*clock, calendar);
    if (deadline && now >= *deadline)
      throw Error(Errc::conflict, "too late to " + transition.name + ": the " + clock->name + " limit passed at " +
                                      format_local(*deadline));
  }
}

// The unit a hand-down names must lie strictly under the unit now responsible.
void check_hand_down(const PetitionState& state, const std::string& unit, const UnitLookup& units) {
  if (!state.responsible_unit) throw Error(Errc::conflict, "no unit is responsible for this petition yet");
  if (unit == *state.responsible_unit)
    throw Error(Errc::invalid_field, "is the unit already responsible; hand down to a unit under it", "unit");
  for (auto u = units ? units(unit) : std::nullopt; u && u->parent; u = units(*u->parent))
    if (*u->parent == *state.responsible_unit) return;
  throw Error(Errc::invalid_field,
              "is not under " + *state.responsible_unit + ": an order is handed down within its unit's tree", "unit");
}

// Whether `unit` is, or lies under, one of `complained` (the oversight unit shields what lies under it from an
// accusation of a unit above it).
bool accused(const std::string& unit, const std::vector<std::string>& complained,
             const std::optional<std::string>& oversight, const UnitLookup& units) {
  for (const auto& object : complained) {
    bool under = unit == object, shielded = false;
    for (auto u = units ? units(unit) : std::nullopt; u && !under; u = u->parent ? units(*u->parent) : std::nullopt) {
      under = u->code == object;
      shielded |= !under && u->code == oversight;
    }
    if (under && !shielded) return true;
  }
  return false;
}

// What a reclassification changes, checked; throws invalid_field naming a bad value.
Decision::Reclassified reclassification(const Transition& transition, const Command& command,
                                        const PetitionState& state, const Definition& definition) {
  Decision::Reclassified r{state.type, state.urgency, state.complained_about, false};
  bool any = false;
  auto given = [&](const char* name) -> const std::string* {
    auto it = command.fields.find(name);
    if (it == command.fields.end()) return nullptr;
    any = true;
    return &it->second;
  };
  if (const auto* type = given("type")) {
    if (!contains(definition.types, *type))
      throw Error(Errc::invalid_field, "unknown petition type '" + *type + "'", "type");
    r.type = *type;
  }
  if (const auto* urgency = given("urgency")) {
    if (!contains(definition.urgencies, *urgency))
      throw Error(Errc::invalid_field, "unknown urgency '" + *urgency + "'", "urgency");
    r.urgency = *urgency;
  }
  if (const auto* units = given("complained_units")) r.complained_about = split_codes(*units);
  given("category");
  given("place");
  if (!any)
    throw Error(Errc::invalid_field,
                "say what to correct: type, category, urgency, place or complained_units (" + transition.name + ")",
                "type");
  return r;
}

// The last time the petition entered one of the clock's start states with none of its stop states after.
std::optional<Instant> entered_since(const PetitionState& state, const ClockSpec& spec) {
  std::optional<Instant> since;
  for (const auto& start : spec.start_on)
    if (auto it = state.entered.find(start); it != state.entered.end() && (!since || it->second > *since))
      since = it->second;
  for (const auto& stop : spec.stop_on)
    if (auto it = state.entered.find(stop); since && it != state.entered.end() && it->second >= *since)
      return std::nullopt;
  return since;
}

// The level (1 = the district) of a unit, when the lookup knows it.
int depth_of(const std::optional<std::string>& unit, const UnitLookup& units) {
  if (!unit || !units) return 0;
  auto info = units(*unit);
  return info ? info->depth : 0;
}

}  // namespace

std::optional<Instant> deadline_of(const ClockRecord& clock, const Calendar& calendar) {
  if (clock.stopped) return std::nullopt;
  auto duration = clock.duration;
  duration.amount += clock.extension;
  auto deadline = clock_state(calendar, duration, clock.started, clock.pauses, clock.started).deadline;
  if (deadline && clock.cap && *clock.cap < *deadline) return clock.cap;
  return deadline;
}

namespace {
// A warning point of a clock, if it comes before the clock's (possibly capped) deadline.
std::optional<Instant> warning_point(const ClockRecord& clock, const Calendar& calendar, int percent) {
  auto duration = clock.duration;
  duration.amount += clock.extension;
  auto point = clock_point(calendar, duration, clock.started, clock.pauses, percent);
  auto deadline = deadline_of(clock, calendar);
  if (!point || !deadline || *point >= *deadline) return std::nullopt;
  return point;
}
}  // namespace

std::optional<Instant> first_warning(const ClockRecord& clock, const ClockSpec& spec, const Calendar& calendar) {
  if (clock.stopped || clock.paused() || spec.warn_at.empty()) return std::nullopt;
  return warning_point(clock, calendar, *std::min_element(spec.warn_at.begin(), spec.warn_at.end()));
}

Obligation next_obligation(const PetitionState& state, const Definition& definition, const Calendar& calendar) {
  Obligation next;
  for (const auto& clock : state.clocks) {
    const auto* spec = definition.clock(clock.name);
    if (!clock.running() || !spec || spec->window) continue;
    auto deadline = deadline_of(clock, calendar);
    if (!deadline) continue;
    if (!next.due || *deadline < *next.due) {
      next.due = deadline;
      next.clock = clock.name;
      next.warn = first_warning(clock, *spec, calendar);
    }
  }
  return next;
}

std::optional<ClockDuration> co_handling_limit(const Definition& definition, const std::string& urgency) {
  if (auto it = definition.co_handling_by_urgency.find(urgency); it != definition.co_handling_by_urgency.end())
    return it->second;
  return definition.co_handling_default;
}

std::vector<std::string> split_codes(const std::string& text) {
  std::vector<std::string> codes;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) codes.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return codes;
}

const std::vector<std::string>& reply_outcomes() {
  static const std::vector<std::string> outcomes{"support", "explain", "not_supported"};
  return outcomes;
}

const std::vector<std::string>& satisfaction_levels() {
  static const std::vector<std::string> levels{"very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                                               "very_dissatisfied"};
  return levels;
}

const ClockRecord* PetitionState::running_clock(const std::string& name) const {
  for (const auto& clock : clocks)
    if (clock.name == name && clock.running()) return &clock;
  return nullptr;
}

PetitionState initial_state(const Definition& definition, std::string type, std::string urgency, Instant now) {
  if (!contains(definition.types, type))
    throw Error(Errc::invalid_field, "unknown petition type '" + type + "'", "type");
  if (!contains(definition.urgencies, urgency))
    throw Error(Errc::invalid_field, "unknown urgency '" + urgency + "'", "urgency");
  PetitionState state;
  state.state = definition.initial_state().name;
  state.type = std::move(type);
  state.urgency = std::move(urgency);
  Decision entry{"", "", state.state, now, {}, {}, {}, {}, Transition::Hands::none, {}};
  for (const auto& spec : definition.clocks)
    if (contains(spec.start_on, state.state) && !spec.while_handed_down)
      entry.clocks.push_back(
          {ClockChange::Kind::start, spec.name, spec.duration_for(state.type, state.urgency), 0, {}, {}});
  return apply(std::move(state), entry);
}

Decision decide(const PetitionState& state, const Command& command, const std::set<std::string>& roles, Instant now,
                const Definition& definition, const Calendar& calendar, const UnitLookup& units) {
  const auto* transition = definition.transition(command.transition);
  if (!transition) throw Error(Errc::not_found, "no action '" + command.transition + "' in this workflow");
  if (!contains(transition->from, state.state)) {
    const auto* current = definition.state(state.state);
    throw Error(Errc::conflict, "cannot " + command.transition + " a petition that is " +
                                    (current ? label_or_name(current->label, current->name) : state.state));
  }
  bool allowed = false;
  for (const auto& role : transition->roles) allowed |= roles.count(role) > 0;
  if (!allowed) throw Error(Errc::forbidden, "your roles may not " + command.transition);

  check_fields(*transition, command, state, definition, now);
  check_guards(*transition, state, now, calendar);

  // The timeline keeps the fields this transition asks for, and a comment if one was given.
  std::map<std::string, std::string> fields;
  const auto wanted = required_fields(*transition, state, definition);
  for (const auto& [name, value] : command.fields)
    if (contains(wanted, name) || contains(transition->optional_fields, name) || name == "comment")
      fields.emplace(name, value);
  Decision decision{transition->name,   state.state, transition->to,    now, std::move(fields), {},
                    transition->notify, {},          transition->hands, {}};
  if (auto unit = command.fields.find("unit"); unit != command.fields.end() && contains(wanted, "unit")) {
    // Accusation material never goes to the accused (信访工作条例 Art 30): nor to anything under them.
    if (accused(unit->second, state.complained_about, state.oversight_unit, units))
      throw Error(Errc::invalid_field,
                  "the petition complains about " + unit->second + " or a unit above it: it cannot be handled there",
                  "unit");
    if (transition->hands == Transition::Hands::down) check_hand_down(state, unit->second, units);
    decision.responsible_unit = unit->second;
  }
  if (transition->stays) decision.to = state.state;
  if (transition->reclassifies) {
    decision.reclassified = reclassification(*transition, command, state, definition);
    // A correction that puts the petition in front of a unit it accuses takes it away from that unit.
    if (state.responsible_unit &&
        accused(*state.responsible_unit, decision.reclassified->complained_about, state.oversight_unit, units)) {
      if (transition->to_when_accused.empty())
        throw Error(Errc::conflict, "the unit now responsible would be accused; it cannot stay there");
      decision.to = transition->to_when_accused;
      decision.reclassified->unassigned = true;
    }
  }
  if (transition->back) {
    if (!state.previous_state || !definition.state(*state.previous_state))
      throw Error(Errc::conflict, "no earlier state to go back to");
    decision.to = *state.previous_state;
  }
  if (transition->hands == Transition::Hands::up) {
    if (!state.handed_down()) throw Error(Errc::conflict, transition->name + " needs an order handed down from above");
    decision.responsible_unit = state.handed_down_from.back();
  }
  // Still handed down afterwards, to a level whose replies go up to be checked: the alternative target.
  const bool unassigned = decision.reclassified && decision.reclassified->unassigned;
  const auto depth_after = unassigned                                  ? 0
                           : decision.hands == Transition::Hands::none ? state.handed_down_from.size()
                           : decision.hands == Transition::Hands::down ? state.handed_down_from.size() + 1
                                                                       : state.handed_down_from.size() - 1;
  const auto responsible_after = decision.responsible_unit ? decision.responsible_unit : state.responsible_unit;
  if (!transition->to_when_handed_down.empty() && depth_after > 0 &&
      (definition.checked_reply_levels.empty() ||
       contains_level(definition.checked_reply_levels, depth_of(responsible_after, units)))) {
    decision.to = transition->to_when_handed_down;
    decision.notify = transition->notify_when_handed_down;
  }

  const auto& to = decision.to;
  const bool handed = decision.hands != Transition::Hands::none || unassigned;
  const auto& type = decision.reclassified ? decision.reclassified->type : state.type;
  const auto& urgency = decision.reclassified ? decision.reclassified->urgency : state.urgency;
  for (const auto& spec : definition.clocks) {
    const auto* running = state.running_clock(spec.name);
    const bool may_run = !spec.while_handed_down || depth_after > 0;
    // Reclassified: a running clock takes the limit of what the petition now is, or stops if none applies.
    const auto now_due = spec.duration_for(type, urgency);
    const bool applies = !decision.reclassified || now_due;
    if (running && decision.reclassified && now_due && !contains(spec.stop_on, to) &&
        (now_due->unit != running->duration.unit || now_due->amount != running->duration.amount))
      decision.clocks.push_back({ClockChange::Kind::redefine, spec.name, now_due, 0, {}, {}});
    if (running && (contains(spec.stop_on, to) || (handed && spec.per_unit) || !may_run || !applies)) {
      decision.clocks.push_back({ClockChange::Kind::stop, spec.name, {}, 0, {}, {}});
      running = nullptr;
    } else if (running && !running->paused() && contains(spec.pause_in, to)) {
      decision.clocks.push_back({ClockChange::Kind::pause, spec.name, {}, 0, {}, {}});
    } else if (running && running->paused() && !contains(spec.pause_in, to)) {
      decision.clocks.push_back({ClockChange::Kind::resume, spec.name, {}, 0, {}, {}});
    }
    // Reclassified into a limit that now applies and does not run (a help request found to be a formal
    // petition): it counts from when the petition entered its start state (acceptance), unless a stop state came
    // after that.
    std::optional<Instant> since;
    if (!state.running_clock(spec.name) && decision.reclassified && now_due && may_run)
      since = entered_since(state, spec);
    if (!running && may_run && (since || (contains(spec.start_on, to) && !contains(spec.stop_on, to)))) {
      // A clock within others (the lower unit's, within the order's) never ends after them.
      std::optional<Instant> cap;
      for (const auto& outer : spec.within)
        if (const auto* clock = state.running_clock(outer))
          if (auto deadline = deadline_of(*clock, calendar); deadline && (!cap || *deadline < *cap)) cap = deadline;
      decision.clocks.push_back({ClockChange::Kind::start, spec.name, now_due, 0, {}, cap, since});
    }
  }
  // Approving an extension adds what was asked for to every extended clock still running; the clocks within
  // them may then run as long as they now do.
  if (state.requested_extension > 0) {
    for (const auto& name : transition->extends)
      if (state.running_clock(name))
        decision.clocks.push_back({ClockChange::Kind::extend, name, {}, state.requested_extension, {}, {}});
  }
  // Deadlines after the change, for the timeline and the scheduler.
  auto after = apply(state, decision);
  for (const auto& spec : definition.clocks) {
    const auto* clock = after.running_clock(spec.name);
    if (!clock || !clock->cap) continue;
    std::optional<Instant> cap;
    for (const auto& outer : spec.within)
      if (const auto* o = after.running_clock(outer))
        if (auto deadline = deadline_of(*o, calendar); deadline && (!cap || *deadline < *cap)) cap = deadline;
    if (cap && *cap != *clock->cap) decision.clocks.push_back({ClockChange::Kind::extend, spec.name, {}, 0, {}, cap});
  }
  after = apply(state, decision);
  for (auto& change : decision.clocks)
    if (change.kind != ClockChange::Kind::stop)
      if (const auto* clock = after.running_clock(change.clock)) change.deadline = deadline_of(*clock, calendar);
  return decision;
}

PetitionState apply(PetitionState state, const Decision& decision) {
  if (decision.from != decision.to) state.entered[decision.to] = decision.at;
  state.state = decision.to;
  if (decision.hands == Transition::Hands::down && state.responsible_unit)
    state.handed_down_from.push_back(*state.responsible_unit);
  if (decision.hands == Transition::Hands::up && !state.handed_down_from.empty()) state.handed_down_from.pop_back();
  if (decision.responsible_unit) state.responsible_unit = decision.responsible_unit;
  if (const auto& r = decision.reclassified) {
    state.type = r->type;
    state.urgency = r->urgency;
    state.complained_about = r->complained_about;
    if (r->unassigned) {
      state.responsible_unit.reset();
      state.handed_down_from.clear();
    }
  }
  for (const auto& change : decision.clocks) {
    auto running = std::find_if(state.clocks.begin(), state.clocks.end(),
                                [&](const ClockRecord& c) { return c.name == change.clock && c.running(); });
    switch (change.kind) {
      case ClockChange::Kind::start:
        if (change.duration)
          state.clocks.push_back(
              {change.clock, change.since.value_or(decision.at), *change.duration, {}, 0, std::nullopt, change.cap});
        break;
      case ClockChange::Kind::stop:
        if (running != state.clocks.end()) {
          if (running->paused()) running->pauses.back().until = decision.at;
          running->stopped = decision.at;
        }
        break;
      case ClockChange::Kind::pause:
        if (running != state.clocks.end()) running->pauses.push_back({decision.at, std::nullopt});
        break;
      case ClockChange::Kind::resume:
        if (running != state.clocks.end() && running->paused()) running->pauses.back().until = decision.at;
        break;
      case ClockChange::Kind::redefine:
        if (running != state.clocks.end() && change.duration) running->duration = *change.duration;
        break;
      case ClockChange::Kind::extend:
        if (running != state.clocks.end()) {
          running->extension += change.extension;
          if (change.cap) running->cap = change.cap;
        }
        break;
    }
  }
  auto requested = decision.fields.find("days");
  if (requested == decision.fields.end()) requested = decision.fields.find("hours");
  if (requested != decision.fields.end()) state.requested_extension = std::stoi(requested->second);
  else if (decision.from != decision.to) state.requested_extension = 0;
  return state;
}

std::vector<EscalationPoint> escalation_points(const Definition& definition, const Calendar& calendar,
                                               const ClockRecord& clock, int level) {
  std::vector<EscalationPoint> points;
  if (!clock.running() || clock.paused()) return points;
  const auto deadline = deadline_of(clock, calendar);
  if (!deadline) return points;
  for (const auto& rule : definition.escalations) {
    if (rule.clock != clock.name) continue;
    if (!rule.levels.empty() && !contains_level(rule.levels, level)) continue;
    std::optional<Instant> due;
    switch (rule.when) {
      case EscalationRule::When::warning: due = warning_point(clock, calendar, rule.percent); break;
      case EscalationRule::When::breach: due = deadline; break;
      case EscalationRule::When::after_breach:
        if (rule.after->unit == DurationUnit::working_hours)
          due = calendar.add_working_minutes(*deadline, rule.after->amount * 60L);
        else if (rule.after->unit == DurationUnit::hours) due = *deadline + hours(rule.after->amount);
        else if (rule.after->unit == DurationUnit::working_days)
          due = calendar.add_working_days(*deadline - seconds(1), rule.after->amount);
        else due = calendar.add_calendar_days(*deadline - seconds(1), rule.after->amount);
        break;
    }
    if (due) points.push_back({&rule, *due});
  }
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.due < b.due; });
  return points;
}

std::vector<const Transition*> available_transitions(const PetitionState& state, const std::set<std::string>& roles,
                                                     const Definition& definition) {
  std::vector<const Transition*> out;
  for (const auto& t : definition.transitions) {
    if (!contains(t.from, state.state) || structural_refusal(t, state)) continue;
    for (const auto& role : t.roles)
      if (roles.count(role)) {
        out.push_back(&t);
        break;
      }
  }
  return out;
}

std::vector<std::string> required_fields(const Transition& transition, const PetitionState& state,
                                         const Definition& definition) {
  auto fields = transition.required_fields;
  const auto* clock = extension_clock(state, definition);
  if (clock && counts_hours(clock->duration.unit))
    std::replace(fields.begin(), fields.end(), std::string("days"), std::string("hours"));
  return fields;
}

}  // namespace petitiond::workflow
