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

void check_fields(const Transition& transition, const Command& command, const PetitionState& state,
                  const Definition& definition) {
  for (const auto& field : transition.required_fields) {
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
  if (auto it = command.fields.find("days"); it != command.fields.end()) {
    int days = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), days);
    if (ec != std::errc{} || end != it->second.data() + it->second.size() || days < 1)
      throw Error(Errc::invalid_field, "must be a whole number of days, at least 1", "days");
    // Requested days count against every running clock that limits its extensions.
    for (const auto& spec : definition.clocks) {
      const auto* clock = state.running_clock(spec.name);
      if (!clock || !spec.max_extension) continue;
      int left = *spec.max_extension - clock->extension;
      if (days > left)
        throw Error(Errc::invalid_field,
                    "extensions may add " + std::to_string(*spec.max_extension) + " days in all; " +
                        std::to_string(std::max(0, left)) + " remain",
                    "days");
    }
  }
}

void check_guards(const Transition& transition, const PetitionState& state, Instant now, const Calendar& calendar) {
  for (const auto& guard : transition.guards) {
    if (guard.kind == "type_is" && !contains(guard.values, state.type))
      throw Error(Errc::conflict, transition.name + " is only for petitions of type " + guard.values.front());
    if (guard.kind == "before_deadline") {
      const auto* clock = state.running_clock(guard.values.front());
      if (!clock)
        throw Error(Errc::conflict, transition.name + " needs the " + guard.values.front() + " clock running");
      auto deadline = deadline_of(*clock, calendar);
      if (deadline && now >= *deadline)
        throw Error(Errc::conflict, "too late to " + transition.name + ": the " + guard.values.front() +
                                        " limit passed at " + format_local(*deadline));
    }
  }
}

}  // namespace

std::optional<Instant> deadline_of(const ClockRecord& clock, const Calendar& calendar) {
  if (clock.stopped) return std::nullopt;
  auto duration = clock.duration;
  duration.amount += clock.extension;
  return clock_state(calendar, duration, clock.started, clock.pauses, clock.started).deadline;
}

std::optional<Instant> first_warning(const ClockRecord& clock, const ClockSpec& spec, const Calendar& calendar) {
  if (clock.stopped || clock.paused() || spec.warn_at.empty()) return std::nullopt;
  auto duration = clock.duration;
  duration.amount += clock.extension;
  return clock_point(calendar, duration, clock.started, clock.pauses,
                     *std::min_element(spec.warn_at.begin(), spec.warn_at.end()));
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
  Decision entry{"", "", state.state, now, {}, {}, {}, {}};
  for (const auto& spec : definition.clocks)
    if (contains(spec.start_on, state.state))
      entry.clocks.push_back(
          {ClockChange::Kind::start, spec.name, spec.duration_for(state.type, state.urgency), 0, {}});
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

  check_fields(*transition, command, state, definition);
  check_guards(*transition, state, now, calendar);

  // The timeline keeps the fields this transition asks for, and a comment if one was given.
  std::map<std::string, std::string> fields;
  for (const auto& [name, value] : command.fields)
    if (contains(transition->required_fields, name) || name == "comment") fields.emplace(name, value);
  Decision decision{transition->name, state.state, transition->to, now, std::move(fields), {}, transition->notify, {}};
  if (auto unit = command.fields.find("unit");
      unit != command.fields.end() && contains(transition->required_fields, "unit")) {
    // Accusation material never goes to the accused (信访工作条例 Art 30): nor to anything under them.
    for (const auto& object : state.complained_about) {
      bool under = unit->second == object;
      for (auto u = units ? units(unit->second) : std::nullopt; u && !under;
           u = u->parent ? units(*u->parent) : std::nullopt)
        under = u->code == object;
      if (under)
        throw Error(Errc::invalid_field, "the petition complains about " + object + ": it cannot be handled there",
                    "unit");
    }
    decision.responsible_unit = unit->second;
  }
  const auto& to = transition->to;
  for (const auto& spec : definition.clocks) {
    const auto* running = state.running_clock(spec.name);
    if (running && contains(spec.stop_on, to)) {
      decision.clocks.push_back({ClockChange::Kind::stop, spec.name, {}, 0, {}});
    } else if (!running && contains(spec.start_on, to) && !contains(spec.stop_on, to)) {
      decision.clocks.push_back(
          {ClockChange::Kind::start, spec.name, spec.duration_for(state.type, state.urgency), 0, {}});
    } else if (running && !running->paused() && contains(spec.pause_in, to)) {
      decision.clocks.push_back({ClockChange::Kind::pause, spec.name, {}, 0, {}});
    } else if (running && running->paused() && !contains(spec.pause_in, to)) {
      decision.clocks.push_back({ClockChange::Kind::resume, spec.name, {}, 0, {}});
    }
  }
  // Approving an extension adds the days that were asked for to the extended clock.
  if (!transition->extends.empty() && state.requested_extension > 0 && state.running_clock(transition->extends))
    decision.clocks.push_back({ClockChange::Kind::extend, transition->extends, {}, state.requested_extension, {}});
  // Deadlines after the change, for the timeline and the scheduler.
  auto after = apply(state, decision);
  for (auto& change : decision.clocks)
    if (const auto* clock = after.running_clock(change.clock)) change.deadline = deadline_of(*clock, calendar);
  return decision;
}

PetitionState apply(PetitionState state, const Decision& decision) {
  state.state = decision.to;
  if (decision.responsible_unit) state.responsible_unit = decision.responsible_unit;
  for (const auto& change : decision.clocks) {
    auto running = std::find_if(state.clocks.begin(), state.clocks.end(),
                                [&](const ClockRecord& c) { return c.name == change.clock && c.running(); });
    switch (change.kind) {
      case ClockChange::Kind::start:
        if (change.duration) state.clocks.push_back({change.clock, decision.at, *change.duration, {}, 0, std::nullopt});
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
      case ClockChange::Kind::extend:
        if (running != state.clocks.end()) running->extension += change.extension;
        break;
    }
  }
  if (auto days = decision.fields.find("days"); days != decision.fields.end())
    state.requested_extension = std::stoi(days->second);
  else if (decision.from != decision.to) state.requested_extension = 0;
  return state;
}

std::vector<EscalationPoint> escalation_points(const Definition& definition, const Calendar& calendar,
                                               const ClockRecord& clock, int level) {
  std::vector<EscalationPoint> points;
  if (!clock.running() || clock.paused()) return points;
  auto duration = clock.duration;
  duration.amount += clock.extension;
  const auto deadline = deadline_of(clock, calendar);
  if (!deadline) return points;
  for (const auto& rule : definition.escalations) {
    if (rule.clock != clock.name) continue;
    if (!rule.levels.empty() && !contains_level(rule.levels, level)) continue;
    std::optional<Instant> due;
    switch (rule.when) {
      case EscalationRule::When::warning:
        due = clock_point(calendar, duration, clock.started, clock.pauses, rule.percent);
        break;
      case EscalationRule::When::breach: due = deadline; break;
      case EscalationRule::When::after_breach:
        if (rule.after->unit == DurationUnit::working_hours)
          due = calendar.add_working_minutes(*deadline, rule.after->amount * 60L);
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
    if (!contains(t.from, state.state)) continue;
    for (const auto& role : t.roles)
      if (roles.count(role)) {
        out.push_back(&t);
        break;
      }
  }
  return out;
}

}  // namespace petitiond::workflow
