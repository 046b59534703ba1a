#pragma once
#include <string>

namespace petitiond::app {

// Applies the demo data set (schemas/demo/*.sql), each file in its own transaction. The files are
// idempotent, so loading twice changes nothing. Production start-up never calls this.
void load_demo_data(const std::string& database_url);

}  // namespace petitiond::app
