#pragma once
// Workflow definitions an admin places in DATA_DIR/workflows/: at start each new one is checked as an upload
// is and installed (not activated; the admin activates it through the API or the admin page).
#include <filesystem>
#include <string>

#include "workflow/registry.hpp"

namespace petitiond::app {

// Installs each *.yaml file of `dir` not installed yet. Throws std::runtime_error listing every problem as
// file:line: message (a file that does not check, or that reuses an installed version with other content),
// so that the server refuses to start on it; a missing directory is no problem.
void install_workflow_files(const std::filesystem::path& dir, const std::string& database_url,
                            const workflow::WorkflowSet& shipped);

}  // namespace petitiond::app
