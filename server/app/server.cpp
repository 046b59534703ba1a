#include "server/app/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <optional>
#include <thread>

#include "schemas/embedded.hpp"
#include "server/app/demo.hpp"
#include "server/app/health_routes.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "server/pg/migrations.hpp"

namespace petitiond::app {
namespace asio = boost::asio;
namespace {

pg::PoolOptions pool_options(const Config& config, const std::string& url) {
  pg::PoolOptions options;
  options.connect = {url, config.db_connect_timeout, config.db_statement_timeout, "petitiond"};
  options.max_size = config.db_pool_size;
  options.acquire_timeout = config.db_acquire_timeout;
  // The client gives the server's statement_timeout a moment to fire first.
  options.query_timeout = config.db_statement_timeout + std::chrono::seconds(1);
  return options;
}

void add_pool_gauges(http::Metrics& metrics, const pg::Pool& pool) {
  metrics.add_gauge("petitiond_db_pool_open", "Database connections open or opening.",
                    [&pool] { return static_cast<double>(pool.stats().open); });
  metrics.add_gauge("petitiond_db_pool_in_use", "Database connections lent to requests.",
                    [&pool] { return static_cast<double>(pool.stats().in_use); });
  metrics.add_gauge("petitiond_db_pool_waiting", "Requests waiting for a database connection.",
                    [&pool] { return static_cast<double>(pool.stats().waiting); });
}

// Waits for open connections to finish (bounded by the shutdown timeout), then stops everything.
asio::awaitable<void> drain(asio::io_context& io, http::HttpServer& server, pg::Pool& pool,
                            std::chrono::milliseconds timeout) {
  asio::steady_timer timer(io);
  const auto give_up_at = std::chrono::steady_clock::now() + timeout;
  while (server.open_connections() > 0 && std::chrono::steady_clock::now() < give_up_at) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (auto left = server.open_connections())
    spdlog::warn("{} connection(s) still busy after the shutdown timeout; closing them", left);
  pool.close();
  io.stop();
}

void serve(const Config& config, const std::string& database_url, int schema_version) {
  asio::io_context io(static_cast<int>(config.threads));
  pg::Pool pool(pool_options(config, database_url));
  http::Metrics metrics;
  add_pool_gauges(metrics, pool);
  http::Router router;
  add_health_routes(router, pool, metrics, schema_version);
  http::HttpServer server(io, config.http, router, metrics);

  asio::ip::tcp::endpoint endpoint;
  try {
    endpoint = server.listen({asio::ip::make_address(config.listen_host), config.listen_port});
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("--listen: cannot listen on " + config.listen_host + ":" +
                             std::to_string(config.listen_port) + ": " + e.code().message());
  }
  server.start();
  spdlog::info("listening on http://{}:{}", endpoint.address().to_string(), endpoint.port());

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received {}: no new connections; finishing requests in flight", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    server.shutdown();
    asio::co_spawn(io, drain(io, server, pool, config.shutdown_timeout), asio::detached);
  });

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < config.threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& worker : workers) worker.join();
}

}  // namespace

int run(const Config& config) {
  std::signal(SIGPIPE, SIG_IGN);
  std::optional<pg::EmbeddedCluster> cluster;
  std::string url = config.database_url;
  if (url.empty()) {
    std::filesystem::create_directories(config.data_dir);
    cluster.emplace(pg::ClusterOptions{config.data_dir, config.pg_bin});
    spdlog::info("starting the embedded PostgreSQL under {}", std::filesystem::absolute(config.data_dir).string());
    cluster->start();
    url = cluster->url();
  }

  auto report = pg::migrate(url, pg::load_migrations(schemas::migrations()));
  for (const auto& name : report.applied) spdlog::info("applied migration {}", name);
  spdlog::info("database schema at version {}", report.version);

  if (config.command == "serve") {
    if (config.demo) load_demo_data(url);
    serve(config, url, report.version);
  }
  if (cluster) {
    spdlog::info("stopping the embedded PostgreSQL");
    cluster->stop();
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace petitiond::app
