#include "server/app/demo.hpp"

#include <spdlog/spdlog.h>

#include "schemas/embedded.hpp"
#include "server/pg/blocking_connection.hpp"
#include "workflow/error.hpp"

namespace petitiond::app {

void load_demo_data(const std::string& database_url) {
  pg::BlockingConnection db(database_url);
  for (const auto& file : schemas::demo()) {
    db.exec("BEGIN");
    try {
      db.exec(std::string(file.content));
      db.exec("COMMIT");
    } catch (const Error& e) {
      db.exec("ROLLBACK");
      throw Error(Errc::internal, "demo data " + std::string(file.name) + " failed: " + e.message());
    }
  }
  spdlog::info("demo data loaded ({} files)", schemas::demo().size());
}

}  // namespace petitiond::app
