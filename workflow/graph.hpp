#pragma once
#include <string>

#include "workflow/definition.hpp"

namespace petitiond::workflow {

// The definition's state graph in Graphviz DOT: states as nodes (initial bold, terminal double), each
// transition an edge labelled with its name and the roles that may take it. Deterministic, so a copy
// kept beside the docs can be checked to be in step with the definition.
std::string to_dot(const Definition& definition);

}  // namespace petitiond::workflow
