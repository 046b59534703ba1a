#include "workflow/routing.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "core/error.hpp"

namespace petitiond::workflow {
namespace {

std::optional<Target> read_target(const YAML::Node& node, std::vector<Problem>& problems, const std::string& file) {
  auto problem = [&](const std::string& message) {
    problems.push_back({file, static_cast<int>(node.Mark().line) + 1, message});
    return std::nullopt;
  };
  if (node.IsScalar()) {
    auto text = node.as<std::string>();
    if (text == "district") return Target{Target::Kind::district, "", 0};
    if (text == "town_of_petitioner") return Target{Target::Kind::town_of_petitioner, "", 0};
    if (text == "village_of_petitioner") return Target{Target::Kind::village_of_petitioner, "", 0};
    return problem("unknown target '" + text +
                   "': district, town_of_petitioner, village_of_petitioner, {unit: CODE} or {function: NAME}");
  }
  if (node.IsMap() && node.size() == 1) {
    auto key = node.begin()->first.as<std::string>();
    auto value = node.begin()->second.as<std::string>();
    if (key == "unit") return Target{Target::Kind::unit, value, 0};
    if (key == "function") return Target{Target::Kind::function, value, 0};
  }
  // {function: NAME, serving: town_of_petitioner}: the function's office for the petitioner's town, if any.
  if (node.IsMap() && node.size() == 2 && node["function"] && node["serving"]) {
    auto serving = node["serving"].as<std::string>();
    if (serving != "town_of_petitioner" && serving != "village_of_petitioner")
      return problem("'serving' is town_of_petitioner or village_of_petitioner");
    return Target{Target::Kind::function, node["function"].as<std::string>(), serving == "town_of_petitioner" ? 2 : 3};
  }
  return problem("a target is district, town_of_petitioner, village_of_petitioner, {unit: CODE} or {function: NAME}");
}

}  // namespace

std::vector<std::string> RoutingTable::categories() const {
  std::vector<std::string> out;
  for (const auto& rule : rules)
    if (std::find(out.begin(), out.end(), rule.category) == out.end()) out.push_back(rule.category);
  return out;
}

const Label* RoutingTable::label_of(std::string_view category) const {
  for (const auto& rule : rules)
    if (rule.category == category) return &rule.label;
  return nullptr;
}

RoutingLoad load_routing(std::string_view yaml, const std::string& file_name) {
  RoutingLoad result;
  result.table.file = file_name;
  result.table.source = std::string(yaml);
  auto& problems = result.problems;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    problems.push_back({file_name, e.mark.line + 1, "not valid YAML: " + e.msg});
    return result;
  }
  auto problem = [&](const YAML::Node& node, const std::string& message) {
    problems.push_back({file_name, static_cast<int>(node.Mark().line) + 1, message});
  };
  try {
    for (const auto& entry : root)
      if (auto key = entry.first.as<std::string>(); key != "routing" && key != "rules" && key != "functions")
        problem(entry.first, "unknown key '" + key + "' in the routing table");
    for (const auto& entry : root["functions"])
      result.table.functions[entry.first.as<std::string>()] =
          entry.second.IsNull() ? "" : entry.second.as<std::string>();
    for (const auto& node : root["rules"]) {
      RoutingRule rule;
      rule.line = static_cast<int>(node.Mark().line) + 1;
      for (const auto& entry : node)
        if (auto key = entry.first.as<std::string>();
            key != "category" && key != "label" && key != "urgency" && key != "lead" && key != "co")
          problem(entry.first, "unknown key '" + key + "' in a routing rule");
      if (!node["category"]) problem(node, "a routing rule needs 'category'");
      else rule.category = node["category"].as<std::string>();
      if (node["label"])
        rule.label = {node["label"]["zh"].as<std::string>(""), node["label"]["en"].as<std::string>("")};
      if (node["urgency"]) rule.urgency = node["urgency"].as<std::string>();
      if (!node["lead"]) problem(node, "routing rule for '" + rule.category + "' needs 'lead'");
      else if (auto lead = read_target(node["lead"], problems, file_name)) rule.lead = *lead;
      for (const auto& co : node["co"])
        if (auto target = read_target(co, problems, file_name)) rule.co.push_back(*target);
      for (const auto* target : {&rule.lead})
        if (target->kind == Target::Kind::function && !result.table.functions.count(target->value))
          problem(node, "function '" + target->value + "' is not listed under 'functions'");
      for (const auto& target : rule.co)
        if (target.kind == Target::Kind::function && !result.table.functions.count(target.value))
          problem(node, "function '" + target.value + "' is not listed under 'functions'");
      result.table.rules.push_back(std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    problems.push_back({file_name, e.mark.line + 1, "unexpected value: " + e.msg});
  }
  std::set<std::string> general;
  for (const auto& rule : result.table.rules)
    if (!rule.urgency && !general.insert(rule.category).second)
      problems.push_back({file_name, rule.line, "category '" + rule.category + "' has two general rules"});
  for (const auto& rule : result.table.rules)
    if (rule.urgency && !general.count(rule.category))
      problems.push_back({file_name, rule.line, "category '" + rule.category + "' has no rule for other urgencies"});
  return result;
}

namespace {

// The ancestor of `code` at `depth` (itself if already there), walking up the tree.
std::optional<UnitInfo> ancestor_at(const UnitLookup& units, const std::string& code, int depth) {
  auto unit = units(code);
  while (unit && unit->depth > depth && unit->parent) unit = units(*unit->parent);
  if (unit && unit->depth == depth) return unit;
  return std::nullopt;
}

// True when `code` is `object` or lies under it.
bool within(const UnitLookup& units, const std::string& code, const std::string& object) {
  for (auto unit = units(code); unit; unit = unit->parent ? units(*unit->parent) : std::nullopt)
    if (unit->code == object) return true;
  return false;
}

std::string resolve(const RoutingTable& table, const UnitLookup& units, const RoutingRequest& request,
                    const Target& target) {
  auto place = [&](int depth, const char* what) {
    if (!request.petitioner_unit)
      throw Error(Errc::invalid_field,
                  "this category is handled where the petitioner lives: give their " + std::string(what), "place");
    auto unit = ancestor_at(units, *request.petitioner_unit, depth);
    if (!unit) throw Error(Errc::invalid_field, "the petitioner's place has no " + std::string(what), "place");
    return unit->code;
  };
  switch (target.kind) {
    case Target::Kind::unit: return target.value;
    case Target::Kind::function: {
      auto it = table.functions.find(target.value);
      if (it == table.functions.end() || it->second.empty() || !units(it->second))
        throw Error(Errc::invalid_field, "no unit is set to play '" + target.value + "' in the routing table",
                    "category");
      // Its local office for the petitioner's place (a town's legal-aid station), when it has one there.
      if (target.serving && request.petitioner_unit)
        if (auto place_unit = ancestor_at(units, *request.petitioner_unit, target.serving))
          for (const auto& office : request.offices)
            if (office.serves == place_unit->code && within(units, office.code, it->second)) return office.code;
      return it->second;
    }
    case Target::Kind::town_of_petitioner: return place(2, "town or street");
    case Target::Kind::village_of_petitioner: return place(3, "village or community");
    case Target::Kind::district: break;
  }
  // The district: the root above any known unit.
  std::optional<UnitInfo> unit;
  if (request.petitioner_unit) unit = units(*request.petitioner_unit);
  for (const auto& [function, code] : table.functions)
    if (!unit && !code.empty()) unit = units(code);
  while (unit && unit->parent) unit = units(*unit->parent);
  if (!unit) throw Error(Errc::invalid_field, "cannot tell which district this is", "place");
  return unit->code;
}

// Moves `code` up until it lies outside every complained-about unit.
std::string away_from_objects(const UnitLookup& units, std::string code, const std::vector<std::string>& objects,
                              bool& moved) {
  for (bool again = true; again;) {
    again = false;
    for (const auto& object : objects) {
      if (!within(units, code, object)) continue;
      auto unit = units(object);
      if (!unit || !unit->parent)
        throw Error(Errc::invalid_field, "the complaint is about the top unit itself; route it by hand",
                    "complained_about");
      code = *unit->parent;
      moved = again = true;
    }
  }
  return code;
}

}  // namespace

Routing route(const RoutingTable& table, const UnitLookup& units, const RoutingRequest& request) {
  const RoutingRule* rule = nullptr;
  for (const auto& r : table.rules)
    if (r.category == request.category && r.urgency == request.urgency) rule = &r;
  if (!rule)
    for (const auto& r : table.rules)
      if (r.category == request.category && !r.urgency) rule = &r;
  if (!rule) throw Error(Errc::invalid_field, "no routing rule for category '" + request.category + "'", "category");

  Routing routing;
  routing.rule = rule;
  routing.lead =
      away_from_objects(units, resolve(table, units, request, rule->lead), request.complained_about, routing.diverted);
  routing.lead_depth = units(routing.lead) ? units(routing.lead)->depth : 0;
  for (const auto& target : rule->co) {
    bool moved = false;
    auto code = away_from_objects(units, resolve(table, units, request, target), request.complained_about, moved);
    if (code != routing.lead && std::find(routing.co.begin(), routing.co.end(), code) == routing.co.end())
      routing.co.push_back(code);
  }
  return routing;
}

}  // namespace petitiond::workflow
