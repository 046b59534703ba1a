#include "server/app/health_routes.hpp"

#include <boost/json/object.hpp>

#include "schemas/embedded.hpp"
#include "server/http/response.hpp"
#include "server/pg/error.hpp"

namespace petitiond::app {

using http::RequestContext;
using http::Response;
using http::Status;

void add_health_routes(http::Router& router, pg::Pool& pool, http::Metrics& metrics, int schema_version) {
  router.add(http::Verb::get, "/healthz", http::Access::anyone(), [](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return http::json_response(Status::ok, {{"status", "ok"}});
  });

  router.add(http::Verb::get, "/readyz", http::Access::anyone(), [&pool, schema_version](RequestContext&) -> boost::asio::awaitable<Response> {
    std::int64_t version = 0;
    try {
      auto result = co_await pool.run_one("SELECT coalesce(max(version), 0) FROM schema_migrations");
      version = result.integer(0, 0);
    } catch (const pg::QueryError& e) {
      if (e.sqlstate() != "42P01") throw;  // undefined_table: nothing migrated yet
    }
    if (version < schema_version)
      throw Error(Errc::unavailable, "the database is at schema version " + std::to_string(version) +
                                         "; this server needs " + std::to_string(schema_version));
    co_return http::json_response(Status::ok, {{"status", "ready"}, {"schema_version", version}});
  });

  router.add(http::Verb::get, "/metrics", http::Access::anyone(), [&metrics](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return http::text_response(Status::ok, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  router.add(http::Verb::get, "/api/openapi.yaml", http::Access::anyone(), [](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return http::text_response(Status::ok, std::string(schemas::api_documents().front().content),
                                  "application/yaml; charset=utf-8");
  });
}

}  // namespace petitiond::app
