#include "workflow/definition.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <functional>

namespace petitiond::workflow {

const std::set<std::string>& known_roles() {
  // upper: the unit that handed the order down; reviewer: the body deciding its review or re-review;
  // co_signer, co_handler: a co-handling unit (协办) before and after it signed for its part.
  static const std::set<std::string> roles{"operator",   "proxy", "handler",  "manager",   "admin",     "system",
                                           "petitioner", "upper", "reviewer", "co_signer", "co_handler"};
  return roles;
}
const std::set<std::string>& known_fields() {
  // body, reference, date: where a matter was transferred to (转送), under which reference, on which day.
  // type, category, urgency, place, complained_units: a reclassification's corrections; co_units: co-handlers named
  // at a dispatch; contribution: a co-handler's part.
  static const std::set<std::string> fields{
      "reason",           "comment",  "outcome",     "unit", "satisfaction", "days",     "hours",   "reply",
      "parent",           "body",     "reference",   "date", "type",         "category", "urgency", "place",
      "complained_units", "co_units", "contribution"};
  return fields;
}
const std::set<std::string>& known_report_measures() {
  static const std::set<std::string> measures{"accepted", "not_accepted", "dispatched",   "signed_for", "returned",
                                              "extended", "replied",      "satisfaction", "redone",     "reminded"};
  return measures;
}
const std::set<std::string>& known_guards() {
  static const std::set<std::string> guards{"type_is", "before_deadline", "handed_down"};
  return guards;
}

const std::map<std::string, std::set<std::string>>& known_escalation_actions() {
  // remind: chase; supervise: formal 督办; add_co_responsible / move_up: share or hand over responsibility;
  // list_for_criticism: 通报; notify: tell a group of people. `upper`: the unit that handed the order down.
  static const std::map<std::string, std::set<std::string>> actions{
      {"remind", {"responsible", "parent", "upper"}},
      {"supervise", {"parent", "district"}},
      {"add_co_responsible", {"parent"}},
      {"move_up", {"parent"}},
      {"list_for_criticism", {"responsible"}},
      {"notify", {"handlers", "managers", "parent_managers", "district_managers", "petitioner", "upper", "operators"}},
  };
  return actions;
}

std::string Problem::to_string() const { return file + ":" + std::to_string(line) + ": " + message; }

const State* Definition::state(std::string_view name) const {
  for (const auto& s : states)
    if (s.name == name) return &s;
  return nullptr;
}
const Transition* Definition::transition(std::string_view name) const {
  for (const auto& t : transitions)
    if (t.name == name) return &t;
  return nullptr;
}
const ClockSpec* Definition::clock(std::string_view name) const {
  for (const auto& c : clocks)
    if (c.name == name) return &c;
  return nullptr;
}
const State& Definition::initial_state() const {
  for (const auto& s : states)
    if (s.initial) return s;
  return states.front();
}

std::optional<ClockDuration> ClockSpec::duration_for(const std::string& type, const std::string& urgency) const {
  if (auto it = by_urgency.find(urgency); it != by_urgency.end()) return it->second;
  if (auto it = by_type.find(type); it != by_type.end()) return it->second;
  return default_duration;
}

namespace {

// Reads YAML nodes into the model, noting every problem with its line rather than stopping at the first.
class Reader {
 public:
  Reader(std::string file, std::vector<Problem>& problems) : file_(std::move(file)), problems_(problems) {}

  void problem(const YAML::Node& node, const std::string& message) {
    problems_.push_back({file_, line(node), message});
  }
  static int line(const YAML::Node& node) { return node.Mark().line + 1; }

  // Refuses keys outside `allowed`, so that a misspelt key is an error, not silently ignored.
  void only(const YAML::Node& map, std::initializer_list<const char*> allowed, const std::string& what) {
    if (!map.IsMap()) {
      problem(map, what + " must be a mapping");
      return;
    }
    for (const auto& entry : map) {
      auto key = entry.first.as<std::string>();
      bool ok = false;
      for (auto a : allowed) ok |= key == a;
      if (!ok) problem(entry.first, "unknown key '" + key + "' in " + what);
    }
  }

  std::string text(const YAML::Node& map, const char* key, const std::string& what, bool required = true) {
    auto node = map[key];
    if (!node) {
      if (required) problem(map, what + " needs '" + key + "'");
      return {};
    }
    if (!node.IsScalar()) {
      problem(node, "'" + std::string(key) + "' must be a single value");
      return {};
    }
    return node.as<std::string>();
  }

  std::vector<std::string> list(const YAML::Node& map, const char* key) {
    std::vector<std::string> out;
    auto node = map[key];
    if (!node) return out;
    if (node.IsScalar()) return {node.as<std::string>()};
    if (!node.IsSequence()) {
      problem(node, "'" + std::string(key) + "' must be a list");
      return out;
    }
    for (const auto& item : node) out.push_back(item.as<std::string>());
    return out;
  }

  Label label(const YAML::Node& map) {
    Label out;
    auto node = map["label"];
    if (!node) return out;
    only(node, {"zh", "en"}, "a label");
    if (node.IsMap()) {
      out.zh = text(node, "zh", "a label");
      out.en = text(node, "en", "a label");
    }
    return out;
  }

  std::optional<ClockDuration> duration(const YAML::Node& node) {
    if (!node.IsMap() || node.size() != 1) {
      problem(node, "a duration is one of {calendar_days: N}, {working_days: N}, {working_hours: N}, {hours: N}");
      return std::nullopt;
    }
    auto unit = node.begin()->first.as<std::string>();
    int amount = 0;
    try {
      amount = node.begin()->second.as<int>();
    } catch (const YAML::Exception&) {
      amount = -1;
    }
    ClockDuration out;
    if (unit == "calendar_days") out.unit = DurationUnit::calendar_days;
    else if (unit == "working_days") out.unit = DurationUnit::working_days;
    else if (unit == "working_hours") out.unit = DurationUnit::working_hours;
    else if (unit == "hours") out.unit = DurationUnit::hours;
    else {
      problem(node, "unknown duration unit '" + unit + "'");
      return std::nullopt;
    }
    // {working_days: 0} is the same working day.
    const int least = out.unit == DurationUnit::working_days ? 0 : 1;
    if (amount < least || amount > 3660) {
      problem(node, "a duration must be a whole number from " + std::to_string(least) + " to 3660");
      return std::nullopt;
    }
    out.amount = amount;
    return out;
  }

 private:
  std::string file_;
  std::vector<Problem>& problems_;
};

void read(const YAML::Node& root, Definition& def, Reader& r) {
  r.only(root,
         {"workflow", "version", "types", "urgencies", "states", "transitions", "clocks", "escalations",
          "checked_reply_levels", "notify_on_registration", "co_handling_limit"},
         "the definition");
  def.workflow = r.text(root, "workflow", "the definition");
  try {
    def.version = root["version"] ? root["version"].as<int>() : 0;
  } catch (const YAML::Exception&) {
    def.version = 0;
  }
  if (def.version <= 0) r.problem(root, "the definition needs a positive whole 'version'");
  def.types = r.list(root, "types");
  def.urgencies = r.list(root, "urgencies");
  for (const auto& level : root["checked_reply_levels"]) def.checked_reply_levels.push_back(level.as<int>());
  if (auto limit = root["co_handling_limit"]) {
    r.only(limit, {"default", "by_urgency"}, "co_handling_limit");
    if (limit["default"]) def.co_handling_default = r.duration(limit["default"]);
    for (const auto& entry : limit["by_urgency"])
      if (auto d = r.duration(entry.second)) def.co_handling_by_urgency[entry.first.as<std::string>()] = *d;
  }
  for (const auto& entry : root["notify_on_registration"]) {
    auto& audiences = def.notify_on_registration[entry.first.as<std::string>()];
    for (const auto& audience : entry.second) audiences.push_back(audience.as<std::string>());
  }

  for (const auto& node : root["states"]) {
    r.only(node, {"name", "label", "initial", "terminal"}, "a state");
    State s{r.text(node, "name", "a state"), r.label(node), node["initial"] && node["initial"].as<bool>(),
            node["terminal"] && node["terminal"].as<bool>(), Reader::line(node)};
    def.states.push_back(s);
  }
  for (const auto& node : root["transitions"]) {
    r.only(node,
           {"name",
            "label",
            "from",
            "to",
            "roles",
            "requires",
            "guards",
            "notify",
            "extends",
            "report",
            "hands",
            "to_when_handed_down",
            "notify_when_handed_down",
            "review_body",
            "accepts",
            "back",
            "reclassifies",
            "to_when_accused",
            "stays",
            "part"},
           "a transition");
    Transition t;
    t.name = r.text(node, "name", "a transition");
    t.label = r.label(node);
    t.from = r.list(node, "from");
    t.to = r.text(node, "to", "transition " + t.name, !node["stays"]);
    t.roles = r.list(node, "roles");
    t.required_fields = r.list(node, "requires");
    t.notify = r.list(node, "notify");
    t.extends = r.list(node, "extends");
    t.to_when_handed_down = r.text(node, "to_when_handed_down", "transition " + t.name, false);
    t.notify_when_handed_down = r.list(node, "notify_when_handed_down");
    t.optional_fields = r.list(node, "accepts");
    if (node["back"]) t.back = node["back"].as<bool>();
    if (node["reclassifies"]) t.reclassifies = node["reclassifies"].as<bool>();
    if (node["stays"]) t.stays = node["stays"].as<bool>();
    t.part = r.text(node, "part", "transition " + t.name, false);
    if (!t.part.empty() && t.part != "sign" && t.part != "contribute")
      r.problem(node["part"], "'part' is sign or contribute");
    t.to_when_accused = r.text(node, "to_when_accused", "transition " + t.name, false);
    t.review_body = r.text(node, "review_body", "transition " + t.name, false);
    if (!t.review_body.empty() && t.review_body != "first" && t.review_body != "next")
      r.problem(node["review_body"], "'review_body' is first or next");
    if (auto hands = r.text(node, "hands", "transition " + t.name, false); hands == "down")
      t.hands = Transition::Hands::down;
    else if (hands == "up") t.hands = Transition::Hands::up;
    else if (!hands.empty()) r.problem(node["hands"], "'hands' is down or up");
    t.report = r.list(node, "report");
    t.line = Reader::line(node);
    for (const auto& guard : node["guards"]) {
      if (!guard.IsMap() || guard.size() != 1) {
        r.problem(guard, "a guard is one mapping such as {before_deadline: CLOCK}");
        continue;
      }
      Guard g{guard.begin()->first.as<std::string>(), {}, Reader::line(guard)};
      // A copy: the iterator begin() returns owns the pair, and dies at the end of this statement.
      const YAML::Node value = guard.begin()->second;
      if (value.IsSequence())
        for (const auto& v : value) g.values.push_back(v.as<std::string>());
      else g.values.push_back(value.as<std::string>());
      t.guards.push_back(g);
    }
    def.transitions.push_back(t);
  }
  for (const auto& node : root["clocks"]) {
    r.only(node,
           {"name", "label", "start_on", "stop_on", "pause_in", "duration", "warn_at", "max_extension", "window",
            "per_unit", "while_handed_down", "within", "only_listed"},
           "a clock");
    ClockSpec c;
    c.name = r.text(node, "name", "a clock");
    c.label = r.label(node);
    c.start_on = r.list(node, "start_on");
    c.stop_on = r.list(node, "stop_on");
    c.pause_in = r.list(node, "pause_in");
    c.line = Reader::line(node);
    for (const auto& percent : node["warn_at"]) c.warn_at.push_back(percent.as<int>());
    if (node["max_extension"]) c.max_extension = node["max_extension"].as<int>();
    if (node["window"]) c.window = node["window"].as<bool>();
    if (node["per_unit"]) c.per_unit = node["per_unit"].as<bool>();
    if (node["only_listed"]) c.only_listed = node["only_listed"].as<bool>();
    if (node["while_handed_down"]) c.while_handed_down = node["while_handed_down"].as<bool>();
    c.within = r.list(node, "within");
    if (auto duration = node["duration"]) {
      r.only(duration, {"default", "by_type", "by_urgency"}, "clock " + c.name + "'s duration");
      if (duration["default"]) c.default_duration = r.duration(duration["default"]);
      for (const auto& entry : duration["by_type"])
        if (auto d = r.duration(entry.second)) c.by_type[entry.first.as<std::string>()] = *d;
      for (const auto& entry : duration["by_urgency"])
        if (auto d = r.duration(entry.second)) c.by_urgency[entry.first.as<std::string>()] = *d;
    }
    def.clocks.push_back(c);
  }
  for (const auto& node : root["escalations"]) {
    r.only(node, {"clock", "when", "levels", "actions"}, "an escalation");
    EscalationRule e;
    e.clock = r.text(node, "clock", "an escalation");
    e.line = Reader::line(node);
    auto when = node["when"];
    if (!when) {
      r.problem(node, "an escalation needs 'when': breach, {warning: PERCENT} or {after_breach: DURATION}");
    } else if (when.IsScalar() && when.as<std::string>() == "breach") {
      e.when = EscalationRule::When::breach;
    } else if (when.IsMap() && when["warning"]) {
      e.when = EscalationRule::When::warning;
      e.percent = when["warning"].as<int>();
    } else if (when.IsMap() && when["after_breach"]) {
      e.when = EscalationRule::When::after_breach;
      e.after = r.duration(when["after_breach"]);
    } else {
      r.problem(when, "'when' must be breach, {warning: PERCENT} or {after_breach: DURATION}");
    }
    for (const auto& level : node["levels"]) e.levels.push_back(level.as<int>());
    for (const auto& action : node["actions"]) {
      if (action.IsScalar()) {
        // A bare action takes its usual target.
        static const std::map<std::string, std::string> usual{{"remind", "responsible"},
                                                              {"supervise", "parent"},
                                                              {"add_co_responsible", "parent"},
                                                              {"move_up", "parent"},
                                                              {"list_for_criticism", "responsible"}};
        auto name = action.as<std::string>();
        auto it = usual.find(name);
        e.actions.emplace_back(name, it == usual.end() ? "" : it->second);
      } else if (action.IsMap() && action.size() == 1)
        e.actions.emplace_back(action.begin()->first.as<std::string>(), action.begin()->second.as<std::string>());
      else r.problem(action, "an action is a name or {name: target}");
    }
    def.escalations.push_back(e);
  }
}

// The meaning: names resolve, every state is reachable and has a way out, every clock can stop.
void check(const Definition& def, std::vector<Problem>& problems) {
  auto add = [&](int line, std::string message) { problems.push_back({def.file, line, std::move(message)}); };
  std::set<std::string> names;
  int initial = 0;
  for (const auto& s : def.states) {
    if (!names.insert(s.name).second) add(s.line, "state '" + s.name + "' is defined twice");
    initial += s.initial;
  }
  if (initial != 1) add(1, "exactly one state must be initial (found " + std::to_string(initial) + ")");

  std::set<std::string> transition_names;
  std::map<std::string, std::vector<std::string>> edges;
  for (const auto& t : def.transitions) {
    if (!transition_names.insert(t.name).second) add(t.line, "transition '" + t.name + "' is defined twice");
    if (t.from.empty()) add(t.line, "transition '" + t.name + "' has no 'from' state");
    if (!t.stays && !def.state(t.to)) add(t.line, "transition '" + t.name + "' goes to unknown state '" + t.to + "'");
    if (!t.to_when_accused.empty() && !def.state(t.to_when_accused))
      add(t.line, "transition '" + t.name + "' goes to unknown state '" + t.to_when_accused + "'");
    if (!t.to_when_handed_down.empty() && !def.state(t.to_when_handed_down))
      add(t.line, "transition '" + t.name + "' goes to unknown state '" + t.to_when_handed_down + "'");
    for (const auto& from : t.from) {
      const auto* s = def.state(from);
      if (!s) add(t.line, "transition '" + t.name + "' starts from unknown state '" + from + "'");
      else if (s->terminal && !t.back)  // only an undo (back) leaves a terminal state
        add(t.line, "transition '" + t.name + "' leaves terminal state '" + from + "'");
      edges[from].push_back(t.stays ? from : t.to);
      if (!t.to_when_handed_down.empty()) edges[from].push_back(t.to_when_handed_down);
      if (!t.to_when_accused.empty()) edges[from].push_back(t.to_when_accused);
    }
    if (t.roles.empty()) add(t.line, "transition '" + t.name + "' names no roles that may take it");
    for (const auto& clock : t.extends)
      if (!def.clock(clock)) add(t.line, "transition '" + t.name + "' extends unknown clock '" + clock + "'");
    if (t.hands == Transition::Hands::down &&
        std::find(t.required_fields.begin(), t.required_fields.end(), "unit") == t.required_fields.end())
      add(t.line, "transition '" + t.name + "' hands down but does not require 'unit'");
    for (const auto& measure : t.report)
      if (!known_report_measures().count(measure))
        add(t.line, "transition '" + t.name + "' reports unknown measure '" + measure + "'");
    for (const auto& role : t.roles)
      if (!known_roles().count(role)) add(t.line, "transition '" + t.name + "' names unknown role '" + role + "'");
    for (const auto& field : t.required_fields)
      if (!known_fields().count(field))
        add(t.line, "transition '" + t.name + "' requires unknown field '" + field + "'");
    for (const auto& field : t.optional_fields)
      if (!known_fields().count(field))
        add(t.line, "transition '" + t.name + "' accepts unknown field '" + field + "'");
    for (const auto& guard : t.guards) {
      if (!known_guards().count(guard.kind)) add(guard.line, "unknown guard '" + guard.kind + "'");
      if (guard.kind == "before_deadline") {
        if (guard.values.empty()) add(guard.line, "guard before_deadline names no clock");
        for (const auto& clock : guard.values)
          if (!def.clock(clock)) add(guard.line, "guard before_deadline names unknown clock '" + clock + "'");
      }
      if (guard.kind == "handed_down" &&
          (guard.values.size() != 1 || (guard.values[0] != "yes" && guard.values[0] != "no")))
        add(guard.line, "guard handed_down is yes or no");
      if (guard.kind == "type_is")
        for (const auto& type : guard.values)
          if (std::find(def.types.begin(), def.types.end(), type) == def.types.end())
            add(guard.line, "guard type_is names unknown type '" + type + "'");
    }
  }

  if (initial == 1) {
    std::set<std::string> reached{def.initial_state().name};
    std::deque<std::string> queue{def.initial_state().name};
    while (!queue.empty()) {
      auto at = queue.front();
      queue.pop_front();
      for (const auto& next : edges[at])
        if (reached.insert(next).second) queue.push_back(next);
    }
    for (const auto& s : def.states)
      if (!reached.count(s.name))
        add(s.line, "state '" + s.name + "' cannot be reached from '" + def.initial_state().name + "'");
  }
  for (const auto& s : def.states)
    if (!s.terminal && edges[s.name].empty()) add(s.line, "state '" + s.name + "' is not terminal but has no way out");

  // A state reachable from `from` (itself included)?
  auto reachable = [&](const std::string& from, const std::set<std::string>& targets) {
    std::set<std::string> seen{from};
    std::deque<std::string> queue{from};
    while (!queue.empty()) {
      auto at = queue.front();
      queue.pop_front();
      if (targets.count(at)) return true;
      for (const auto& next : edges[at])
        if (seen.insert(next).second) queue.push_back(next);
    }
    return false;
  };
  std::set<std::string> clock_names;
  for (const auto& c : def.clocks) {
    if (!clock_names.insert(c.name).second) add(c.line, "clock '" + c.name + "' is defined twice");
    for (const auto* list : {&c.start_on, &c.stop_on, &c.pause_in})
      for (const auto& state : *list)
        if (!def.state(state)) add(c.line, "clock '" + c.name + "' names unknown state '" + state + "'");
    if (c.start_on.empty()) add(c.line, "clock '" + c.name + "' never starts: give it 'start_on'");
    std::set<std::string> stops(c.stop_on.begin(), c.stop_on.end());
    for (const auto& start : c.start_on)
      if (def.state(start) && !reachable(start, stops))
        add(c.line, "clock '" + c.name + "' never stops: no 'stop_on' state can follow '" + start + "'");
    // A clock that runs only for what it lists (an emergency's 24 hours, a formal petition's 60 days) needs a
    // duration for something; any other for every type.
    if (c.only_listed && !c.default_duration && c.by_type.empty() && c.by_urgency.empty())
      add(c.line, "clock '" + c.name + "' gives no duration at all");
    if (!c.default_duration && !c.only_listed) {
      std::vector<std::string> missing;
      for (const auto& type : def.types)
        if (!c.by_type.count(type)) missing.push_back(type);
      if (def.types.empty() || !missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        add(c.line, "clock '" + c.name + "' has no default duration" + (list.empty() ? "" : " and none for: " + list));
      }
    }
    for (const auto& [type, d] : c.by_type)
      if (std::find(def.types.begin(), def.types.end(), type) == def.types.end())
        add(c.line, "clock '" + c.name + "' gives a duration for unknown type '" + type + "'");
    for (const auto& [urgency, d] : c.by_urgency)
      if (std::find(def.urgencies.begin(), def.urgencies.end(), urgency) == def.urgencies.end())
        add(c.line, "clock '" + c.name + "' gives a duration for unknown urgency '" + urgency + "'");
    for (const auto& outer : c.within)
      if (!def.clock(outer) || outer == c.name)
        add(c.line, "clock '" + c.name + "' runs within unknown clock '" + outer + "'");
    for (int percent : c.warn_at)
      if (percent <= 0 || percent >= 100)
        add(c.line, "clock '" + c.name + "' warns at " + std::to_string(percent) + "%: give 1 to 99");
  }

  for (const auto& [urgency, audiences] : def.notify_on_registration)
    if (std::find(def.urgencies.begin(), def.urgencies.end(), urgency) == def.urgencies.end())
      add(1, "notify_on_registration names unknown urgency '" + urgency + "'");
  for (int level : def.checked_reply_levels)
    if (level < 1 || level > 10)
      add(1, "checked_reply_levels count from 1 (the district) down; " + std::to_string(level) + " is not one");
  for (const auto& e : def.escalations) {
    if (!def.clock(e.clock)) add(e.line, "escalation names unknown clock '" + e.clock + "'");
    if (e.when == EscalationRule::When::warning && (e.percent <= 0 || e.percent >= 100))
      add(e.line, "an escalation warning must be at 1 to 99 percent");
    if (e.actions.empty()) add(e.line, "an escalation needs at least one action");
    for (int level : e.levels)
      if (level < 1 || level > 10)
        add(e.line, "levels count from 1 (the district) down; " + std::to_string(level) + " is not one");
    for (const auto& [action, target] : e.actions) {
      auto known = known_escalation_actions().find(action);
      if (known == known_escalation_actions().end()) add(e.line, "unknown escalation action '" + action + "'");
      else if (!known->second.count(target))
        add(e.line, "escalation action '" + action + "' cannot target '" + target + "'");
    }
  }
}

}  // namespace

LoadResult load_definition(std::string_view yaml, const std::string& file_name) {
  LoadResult result;
  result.definition.file = file_name;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    result.problems.push_back({file_name, e.mark.line + 1, "not valid YAML: " + e.msg});
    return result;
  }
  Reader reader(file_name, result.problems);
  try {
    read(root, result.definition, reader);
  } catch (const YAML::Exception& e) {
    result.problems.push_back({file_name, e.mark.line + 1, "unexpected value: " + e.msg});
    return result;
  }
  check(result.definition, result.problems);
  std::stable_sort(result.problems.begin(), result.problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  return result;
}

}  // namespace petitiond::workflow
