#include "server/app/workflow_command.hpp"

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "schemas/embedded.hpp"
#include "workflow/graph.hpp"

namespace petitiond::app {

namespace {

std::optional<workflow::LoadResult> load_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << "petitiond workflow: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::stringstream text;
  text << file.rdbuf();
  return workflow::load_definition(text.str(), path);
}

}  // namespace

int graph_workflow_file(const std::string& path) {
  auto result = load_file(path);
  if (!result) return 2;
  for (const auto& problem : result->problems) std::cerr << problem.to_string() << "\n";
  if (!result->problems.empty()) return 1;
  std::cout << workflow::to_dot(result->definition);
  return 0;
}

int check_workflow_file(const std::string& path) {
  auto loaded = load_file(path);
  if (!loaded) return 2;
  auto& result = *loaded;
  for (const auto& problem : result.problems) std::cout << problem.to_string() << "\n";
  if (!result.problems.empty()) return 1;
  const auto& d = result.definition;
  std::cout << path << ": ok: workflow " << d.workflow << " version " << d.version << ", " << d.states.size()
            << " states, " << d.transitions.size() << " transitions, " << d.clocks.size() << " clocks, "
            << d.escalations.size() << " escalation rules\n";
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
