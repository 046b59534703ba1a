#pragma once
#include <string>

#include "server/app/config.hpp"

namespace petitiond::app {

// `petitiond user …` and `petitiond units …`: run against the database, print the outcome, and return
// the exit code. Changes are audited with the actor "cli:<account>".
int run_admin_command(const Config& config, const std::string& database_url);

}  // namespace petitiond::app
