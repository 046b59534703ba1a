#include "server/app/workflow_command.hpp"

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "schemas/embedded.hpp"

namespace petitiond::app {

int check_workflow_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "petitiond workflow: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream text;
  text << file.rdbuf();
  auto result = workflow::load_definition(text.str(), path);
  for (const auto& problem : result.problems) std::cout << problem.to_string() << "\n";
  if (!result.problems.empty()) return 1;
  const auto& d = result.definition;
  std::cout << path << ": ok: workflow " << d.workflow << " version " << d.version << ", " << d.states.size()
            << " states, " << d.transitions.size() << " transitions, " << d.clocks.size() << " clocks\n";
  return 0;
}

std::vector<workflow::Definition> load_shipped_workflows() {
  std::vector<workflow::Definition> definitions;
  std::string problems;
  for (const auto& file : schemas::workflows()) {
    auto result = workflow::load_definition(file.content, "schemas/" + std::string(file.name));
    for (const auto& problem : result.problems) problems += "\n  " + problem.to_string();
    definitions.push_back(std::move(result.definition));
  }
  if (!problems.empty()) throw std::runtime_error("invalid workflow definition:" + problems);
  return definitions;
}

}  // namespace petitiond::app
