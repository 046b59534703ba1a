#pragma once
// GET /healthz (the process is up), GET /readyz (the database answers and is migrated, the embedded
// PostgreSQL is up, attachments can be written), GET /metrics,
// GET /api/openapi.yaml.
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/pg/cluster_watch.hpp"
#include "server/pg/pool.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace petitiond::app {

// What /readyz checks besides the database answering at the right schema version.
struct Readiness {
  std::filesystem::path attachment_dir;                // files can be written there
  const pg::ClusterWatch* cluster = nullptr;           // the embedded PostgreSQL is up (when this process runs one)
  std::function<std::vector<std::string>()> warnings;  // worth an admin's attention, not a reason to stop serving
};

void add_health_routes(http::Router& router, pg::Pool& pool, http::Metrics& metrics, int schema_version,
                       Readiness readiness);

}  // namespace petitiond::app
