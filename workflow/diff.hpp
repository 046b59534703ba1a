#pragma once
// What changes between two versions of a workflow, for an admin deciding whether to activate a new one:
// states, transitions, who may take each (roles), clocks, their limits, and the escalation rules.
#include <string>
#include <vector>

#include "workflow/definition.hpp"

namespace petitiond::workflow {

struct DefinitionChange {
  std::string what;    // state | transition | role | clock | limit | escalation | rule (definition-wide)
  std::string change;  // added | removed | changed
  std::string name;    // the state, transition or clock; an escalation rule as "clock when [levels]"
  std::string aspect;  // what about it changed (to, from, notify, default, urgency:urgent…); empty when added/removed
  std::string before, after;
};

// In a stable order: by kind, then name, then aspect.
std::vector<DefinitionChange> diff(const Definition& from, const Definition& to);

// A limit as people read it: "60 working_days", "24 hours".
std::string describe(const ClockDuration& duration);

}  // namespace petitiond::workflow
