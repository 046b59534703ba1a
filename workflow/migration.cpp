#include "workflow/migration.hpp"

#include <vector>

#include "core/error.hpp"

namespace petitiond::workflow {

std::map<std::string, std::string> migration_mapping(const Definition& from, const Definition& to,
                                                     const std::map<std::string, std::string>& given) {
  std::vector<ErrorProblem> problems;
  const std::string from_name = "version " + std::to_string(from.version);
  const std::string to_name = "version " + std::to_string(to.version);
  if (from.workflow != to.workflow || from.version == to.version)
    problems.push_back({"a migration goes from one version of a workflow to another", "migration"});
  for (const auto& [old_state, new_state] : given) {
    const std::string field = "migration.states." + old_state;
    if (!from.state(old_state)) problems.push_back({from_name + " has no state " + old_state, field});
    if (!to.state(new_state)) problems.push_back({to_name + " has no state " + new_state, field});
  }
  std::map<std::string, std::string> mapping;
  for (const auto& state : from.states) {
    if (state.terminal) continue;
    const std::string field = "migration.states." + state.name;
    auto it = given.find(state.name);
    const std::string target = it != given.end() ? it->second : state.name;
    const auto* landing = to.state(target);
    if (!landing) {
      if (it == given.end())
        problems.push_back({to_name + " has no state " + state.name + ": say where its running petitions go", field});
      continue;
    }
    if (landing->terminal)
      problems.push_back({"running petitions cannot be moved to the terminal state " + target, field});
    mapping[state.name] = target;
  }
  for (const auto& clock : from.clocks)
    if (!to.clock(clock.name))
      problems.push_back(
          {to_name + " has no clock " + clock.name + ": the deadlines it runs would have no rule", "migration"});
  if (!problems.empty()) throw Error(Errc::invalid_field, std::move(problems));
  return mapping;
}

}  // namespace petitiond::workflow
