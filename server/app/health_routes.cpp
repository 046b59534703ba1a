#include "server/app/health_routes.hpp"

#include <boost/json/object.hpp>

#include "schemas/embedded.hpp"
#include "server/api/attachment_files.hpp"
#include "server/http/response.hpp"
#include "server/logging/log.hpp"
#include "server/store/schema_version.hpp"
#include "core/error.hpp"

namespace petitiond::app {

using http::RequestContext;
using http::Response;
using http::Status;

namespace {

// The database's schema version, or why it cannot be read.
boost::asio::awaitable<std::pair<std::int64_t, std::string>> schema_version_of(pg::Pool& pool) {
  try {
    co_return std::pair<std::int64_t, std::string>{co_await store::applied_schema_version(pool), ""};
  } catch (const Error& e) {
    co_return std::pair<std::int64_t, std::string>{0, e.message()};
  }
}

}  // namespace

void add_health_routes(http::Router& router, pg::Pool& pool, http::Metrics& metrics, int schema_version,
                       Readiness readiness) {
  router.add(http::Verb::get, "/healthz", http::Access::anyone(),
             [](RequestContext&) -> boost::asio::awaitable<Response> {
               co_return http::json_response(Status::ok, {{"status", "ok"}});
             });

  // Each check says "ok" or, in a word, what is wrong; any wrong makes the answer 503. Anyone may ask, so the
  // detail (libpq's words with a socket path or host, a directory and the OS's reason) goes to the log only.
  router.add(http::Verb::get, "/readyz", http::Access::anyone(),
             [&pool, schema_version, readiness](RequestContext& context) -> boost::asio::awaitable<Response> {
               boost::json::object checks;
               bool ready = true;
               auto check = [&](const char* name, const char* summary, const std::string& detail) {
                 checks[name] = detail.empty() ? "ok" : summary;
                 if (!detail.empty()) log::warn(context.request_id, "not ready: {}: {}", name, detail);
                 ready = ready && detail.empty();
               };
               if (readiness.cluster) {
                 const auto state = readiness.cluster->state();
                 check("embedded_postgres", "restarting", state.up ? "" : state.problem);
               }
               auto [version, problem] = co_await schema_version_of(pool);
               check("database", "unreachable", problem);
               if (problem.empty() && version < schema_version)
                 check("database", "not migrated",
                       "at schema version " + std::to_string(version) + "; this server needs " +
                           std::to_string(schema_version));
               check("attachments", "not writable", api::attachment_dir_problem(readiness.attachment_dir));
               boost::json::array warnings;
               if (readiness.warnings)
                 for (const auto& warning : readiness.warnings()) warnings.emplace_back(warning);
               boost::json::object body{{"status", ready ? "ready" : "not_ready"},
                                        {"schema_version", version},
                                        {"checks", std::move(checks)},
                                        {"warnings", std::move(warnings)}};
               if (ready) co_return http::json_response(Status::ok, body);
               // Not ready is a 503 like any other: the one error shape and Retry-After, with the checks beside it.
               body["error"] = {
                   {"code", code_name(Errc::unavailable)}, {"message", "not ready: see checks"}, {"field", nullptr}};
               auto response = http::json_response(Status::service_unavailable, body);
               response.set(http::beast::http::field::retry_after, "1");
               co_return response;
             });

  router.add(http::Verb::get, "/metrics", http::Access::anyone(),
             [&metrics](RequestContext&) -> boost::asio::awaitable<Response> {
               co_return http::text_response(Status::ok, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
             });

  router.add(http::Verb::get, "/api/openapi.yaml", http::Access::anyone(),
             [](RequestContext&) -> boost::asio::awaitable<Response> {
               co_return http::text_response(Status::ok, std::string(schemas::api_documents().front().content),
                                             "application/yaml; charset=utf-8");
             });
}

}  // namespace petitiond::app
