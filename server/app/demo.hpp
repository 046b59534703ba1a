#pragma once
#include <string>

namespace petitiond::app {

// The demo accounts' password, printed at start-up with --demo.
inline constexpr const char* demo_password = "12385-demo";

// Loads the demo data set from schemas/demo/: SQL files (idempotent), the demo district's units
// (units.yaml, imported by code), and one demo user per role and level, each created only if absent.
// Loading twice changes nothing. Production start-up never calls this.
void load_demo_data(const std::string& database_url);

// How to log in to the demo, for the start-up log.
std::string demo_login_help();

}  // namespace petitiond::app
