#pragma once
#include "server/app/config.hpp"

namespace petitiond::app {

// Runs a command (serve or migrate) to completion and returns the process exit code. Throws on
// start-up failures with a message for the operator.
int run(const Config& config);

}  // namespace petitiond::app
