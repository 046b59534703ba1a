#include "server/app/workflow_files.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/error.hpp"
#include "server/logging/log.hpp"
#include "server/store/config_versions.hpp"
#include "server/store/workflow_book.hpp"

namespace petitiond::app {

void install_workflow_files(const std::filesystem::path& dir, const std::string& database_url,
                            const workflow::WorkflowSet& shipped) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) return;

  workflow::WorkflowSet held(shipped);
  std::map<std::pair<std::string, int>, std::string> installed;
  for (auto& row : store::ConfigVersionStore::versions_blocking(database_url, "workflow")) {
    auto loaded = workflow::load_definition(row.source, "installed");
    if (loaded.problems.empty() && !held.contains(row.name, row.version)) held.add(std::move(loaded.definition));
    installed[{row.name, row.version}] = std::move(row.source);
  }
  std::string problems;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const auto yaml = text.str();
    auto loaded = workflow::load_definition(yaml, file.string());
    if (loaded.problems.empty()) {
      auto it = installed.find({loaded.definition.workflow, loaded.definition.version});
      if (it != installed.end()) {
        if (it->second != yaml)
          problems += "\n  " + file.string() + ": version " + std::to_string(loaded.definition.version) + " of " +
                      loaded.definition.workflow + " is installed already with other content; number it anew";
        continue;
      }
    }
    try {
      auto definition = store::checked_workflow(yaml, file.string(), held);
      const std::string name = definition.workflow;
      const int version = definition.version;
      store::ConfigVersion row{"workflow", name, version, yaml, "file", {}, {}};
      store::ConfigVersionStore::add_blocking(database_url, row, "workflow.installed", "file",
                                              {{"file", file.string()}});
      held.add(std::move(definition));
      spdlog::info("workflow {} version {} installed from {} (not active until an admin activates it)", name, version,
                   file.string());
    } catch (const Error& e) {
      for (const auto& p : e.problems())
        problems += "\n  " + file.string() + ":" + std::to_string(p.line) + ": " + p.message;
    }
  }
  if (!problems.empty()) throw std::runtime_error("workflow files refused:" + problems);
}

}  // namespace petitiond::app
