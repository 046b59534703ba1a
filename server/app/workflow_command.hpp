#pragma once
#include <string>
#include <vector>

#include "workflow/definition.hpp"

namespace petitiond::app {

// `petitiond workflow check FILE`: prints each problem as FILE:LINE: message, or a one-line summary;
// returns 0 when the definition is valid, 1 when not, 2 when the file cannot be read.
int check_workflow_file(const std::string& path);
// `petitiond workflow graph FILE`: the state graph as Graphviz DOT on standard output.
int graph_workflow_file(const std::string& path);

// The shipped definitions, validated; throws std::runtime_error listing every problem, so that the
// server refuses to start on an invalid definition.
std::vector<workflow::Definition> load_shipped_workflows();

}  // namespace petitiond::app
