#pragma once
// Routing: (category, the petitioner's place, urgency) -> the responsible unit and any co-handlers.
// The table is data (schemas/routing/*.yaml). A petition that names a unit as the object of its
// complaint is never routed to that unit or anything under it: it goes to the unit's parent instead.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/definition.hpp"

namespace petitiond::workflow {

// Where a rule sends a petition.
struct Target {
  enum class Kind { unit, function, town_of_petitioner, village_of_petitioner, district } kind = Kind::district;
  std::string value;  // a unit code, or a function name
  int serving = 0;    // a function: its office serving the petitioner's town (2) or village (3), if it has one
};

struct RoutingRule {
  std::string category;
  Label label;
  std::optional<std::string> urgency;  // only for this urgency; rules with one are tried first
  Target lead;
  std::vector<Target> co;
  int line = 0;
};

struct RoutingTable {
  std::string file;
  std::string source;  // the YAML it was read from
  std::vector<RoutingRule> rules;
  std::map<std::string, std::string> functions;  // function (civil_affairs, …) -> the unit code playing it
  std::vector<std::string> categories() const;
  // The label of a category (its first rule's); nullptr for a category the table does not have.
  const Label* label_of(std::string_view category) const;
};

// Reads a table; problems (unknown keys, unknown target kinds, a category without a rule for every
// urgency) are listed with their lines, as for workflow definitions.
struct RoutingLoad {
  RoutingTable table;
  std::vector<Problem> problems;
};
RoutingLoad load_routing(std::string_view yaml, const std::string& file_name);

// What routing needs to know about a unit.
struct UnitInfo {
  std::string code;
  std::string kind;  // area | department
  int depth = 0;     // 1 = the district
  std::optional<std::string> parent;
  std::optional<std::string> serves = std::nullopt;  // the area unit a local office serves
};
using UnitLookup = std::function<std::optional<UnitInfo>(const std::string& code)>;

struct RoutingRequest {
  std::string category;
  std::string urgency = "normal";
  std::optional<std::string> petitioner_unit;  // the village/community (or town) the petitioner lives in
  std::vector<std::string> complained_about;   // units named as the object of the complaint
  std::vector<UnitInfo> offices = {};          // local offices serving the petitioner's place or a unit above it
};

struct Routing {
  std::string lead;  // unit code
  int lead_depth = 0;
  std::vector<std::string> co;  // unit codes
  const RoutingRule* rule = nullptr;
  bool diverted = false;  // moved up because the chosen unit was complained about
};

// Throws Error(invalid_field) for an unknown category, or a rule that cannot be resolved for this
// petitioner (no place given where the rule needs one, a function no unit plays).
Routing route(const RoutingTable& table, const UnitLookup& units, const RoutingRequest& request);

}  // namespace petitiond::workflow
