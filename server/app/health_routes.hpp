#pragma once
// GET /healthz (the process is up), GET /readyz (the database answers and is migrated), GET /metrics,
// GET /api/openapi.yaml.
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/pg/pool.hpp"

namespace petitiond::app {

void add_health_routes(http::Router& router, pg::Pool& pool, http::Metrics& metrics, int schema_version);

}  // namespace petitiond::app
