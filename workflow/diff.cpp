#include "workflow/diff.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace petitiond::workflow {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string sorted_join(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  return join(words);
}

std::string describe(const std::optional<ClockDuration>& d) { return d ? describe(*d) : std::string(); }

std::string ints(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

std::string escalation_key(const EscalationRule& e) {
  std::string when = e.when == EscalationRule::When::warning  ? "warning " + std::to_string(e.percent) + "%"
                     : e.when == EscalationRule::When::breach ? std::string("breach")
                                                              : "after_breach " + describe(e.after);
  return e.clock + " " + when + (e.levels.empty() ? "" : " [levels " + ints(e.levels) + "]");
}

std::string actions_text(const EscalationRule& e) {
  std::vector<std::string> out;
  for (const auto& [action, target] : e.actions) out.push_back(action + " " + target);
  return sorted_join(out);
}

std::string guards_text(const std::vector<Guard>& guards) {
  std::vector<std::string> out;
  for (const auto& g : guards) out.push_back(g.kind + ": " + join(g.values));
  return sorted_join(out);
}

class Differ {
 public:
  std::vector<DefinitionChange> changes;

  void aspect(const std::string& what, const std::string& name, const std::string& aspect, const std::string& before,
              const std::string& after) {
    if (before != after) changes.push_back({what, "changed", name, aspect, before, after});
  }

  // Items of both sides by name: added, removed, and `compare` for those on both.
  template <typename T, typename Name, typename Describe, typename Compare>
  void items(const std::string& what, const std::vector<T>& before, const std::vector<T>& after, Name name,
             Describe text, Compare compare) {
    std::map<std::string, const T*> old_items, new_items;
    for (const auto& item : before) old_items[name(item)] = &item;
    for (const auto& item : after) new_items[name(item)] = &item;
    for (const auto& [key, item] : old_items) {
      auto it = new_items.find(key);
      if (it == new_items.end()) changes.push_back({what, "removed", key, "", text(*item), ""});
      else compare(key, *item, *it->second);
    }
    for (const auto& [key, item] : new_items)
      if (!old_items.count(key)) changes.push_back({what, "added", key, "", "", text(*item)});
  }
};

std::string limits_text(const ClockSpec& c) {
  std::vector<std::string> out;
  if (c.default_duration) out.push_back("default " + describe(*c.default_duration));
  for (const auto& [type, d] : c.by_type) out.push_back("type:" + type + " " + describe(d));
  for (const auto& [urgency, d] : c.by_urgency) out.push_back("urgency:" + urgency + " " + describe(d));
  return join(out);
}

void compare_limits(Differ& differ, const ClockSpec& a, const ClockSpec& b) {
  differ.aspect("limit", a.name, "default", describe(a.default_duration), describe(b.default_duration));
  std::map<std::string, std::pair<std::string, std::string>> keyed;
  for (const auto& [type, d] : a.by_type) keyed["type:" + type].first = describe(d);
  for (const auto& [type, d] : b.by_type) keyed["type:" + type].second = describe(d);
  for (const auto& [urgency, d] : a.by_urgency) keyed["urgency:" + urgency].first = describe(d);
  for (const auto& [urgency, d] : b.by_urgency) keyed["urgency:" + urgency].second = describe(d);
  for (const auto& [key, sides] : keyed) differ.aspect("limit", a.name, key, sides.first, sides.second);
  differ.aspect("limit", a.name, "max_extension", a.max_extension ? std::to_string(*a.max_extension) : "",
                b.max_extension ? std::to_string(*b.max_extension) : "");
}

}  // namespace

std::string describe(const ClockDuration& duration) {
  return std::to_string(duration.amount) + " " + duration_unit_name(duration.unit);
}

std::vector<DefinitionChange> diff(const Definition& from, const Definition& to) {
  Differ d;
  auto flags = [](const State& s) {
    return std::string(s.initial ? "initial" : "") + (s.initial && s.terminal ? ", " : "") +
           (s.terminal ? "terminal" : "");
  };
  d.items(
      "state", from.states, to.states, [](const State& s) { return s.name; }, [](const State& s) { return s.label.zh; },
      [&](const std::string& name, const State& a, const State& b) {
        d.aspect("state", name, "label", a.label.zh + " / " + a.label.en, b.label.zh + " / " + b.label.en);
        d.aspect("state", name, "kind", flags(a), flags(b));
      });
  d.items(
      "transition", from.transitions, to.transitions, [](const Transition& t) { return t.name; },
      [](const Transition& t) { return sorted_join(t.from) + " → " + t.to + " (" + join(t.roles) + ")"; },
      [&](const std::string& name, const Transition& a, const Transition& b) {
        d.aspect("transition", name, "from", sorted_join(a.from), sorted_join(b.from));
        d.aspect("transition", name, "to", a.to, b.to);
        d.aspect("role", name, "roles", sorted_join(a.roles), sorted_join(b.roles));
        d.aspect("transition", name, "requires", sorted_join(a.required_fields), sorted_join(b.required_fields));
        d.aspect("transition", name, "accepts", sorted_join(a.optional_fields), sorted_join(b.optional_fields));
        d.aspect("transition", name, "guards", guards_text(a.guards), guards_text(b.guards));
        d.aspect("transition", name, "notify", sorted_join(a.notify), sorted_join(b.notify));
        d.aspect("transition", name, "extends", sorted_join(a.extends), sorted_join(b.extends));
        d.aspect("transition", name, "report", sorted_join(a.report), sorted_join(b.report));
      });
  d.items(
      "clock", from.clocks, to.clocks, [](const ClockSpec& c) { return c.name; },
      [](const ClockSpec& c) { return limits_text(c); },
      [&](const std::string& name, const ClockSpec& a, const ClockSpec& b) {
        d.aspect("clock", name, "start_on", sorted_join(a.start_on), sorted_join(b.start_on));
        d.aspect("clock", name, "stop_on", sorted_join(a.stop_on), sorted_join(b.stop_on));
        d.aspect("clock", name, "pause_in", sorted_join(a.pause_in), sorted_join(b.pause_in));
        d.aspect("clock", name, "warn_at", ints(a.warn_at), ints(b.warn_at));
        d.aspect("clock", name, "within", sorted_join(a.within), sorted_join(b.within));
        compare_limits(d, a, b);
      });
  d.items("escalation", from.escalations, to.escalations, escalation_key, actions_text,
          [&](const std::string& name, const EscalationRule& a, const EscalationRule& b) {
            d.aspect("escalation", name, "actions", actions_text(a), actions_text(b));
          });
  d.aspect("rule", "checked_reply_levels", "levels", ints(from.checked_reply_levels), ints(to.checked_reply_levels));
  d.aspect("rule", "co_handling", "default", describe(from.co_handling_default), describe(to.co_handling_default));
  std::stable_sort(d.changes.begin(), d.changes.end(), [](const auto& a, const auto& b) {
    static const std::vector<std::string> order{"state", "transition", "role", "clock", "limit", "escalation", "rule"};
    auto rank = [](const std::string& what) { return std::find(order.begin(), order.end(), what) - order.begin(); };
    return std::make_tuple(rank(a.what), a.name, a.aspect) < std::make_tuple(rank(b.what), b.name, b.aspect);
  });
  return d.changes;
}

}  // namespace petitiond::workflow
