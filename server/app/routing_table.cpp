#include "server/app/routing_table.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "schemas/embedded.hpp"

namespace petitiond::app {

workflow::RoutingTable load_routing_table(const std::filesystem::path& file) {
  std::string text, name;
  if (file.empty()) {
    for (const auto& shipped : schemas::routing())
      if (shipped.name == "routing/default.yaml") {
        text = shipped.content;
        name = "schemas/routing/default.yaml";
      }
  } else {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("--routing: cannot read " + file.string());
    std::ostringstream content;
    content << in.rdbuf();
    text = content.str();
    name = file.string();
  }
  auto loaded = workflow::load_routing(text, name);
  std::string problems;
  for (const auto& problem : loaded.problems) problems += "\n  " + problem.to_string();
  if (!problems.empty()) throw std::runtime_error("invalid routing table:" + problems);
  return std::move(loaded.table);
}

}  // namespace petitiond::app
