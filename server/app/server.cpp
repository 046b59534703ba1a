#include "server/app/server.hpp"

#include <csignal>
#include <optional>

#include <spdlog/fmt/ranges.h>

#include "server/app/admin_commands.hpp"
#include "server/app/application.hpp"
#include "server/app/backup.hpp"
#include "server/app/calendars.hpp"
#include "server/app/demo.hpp"
#include "server/app/demo_history.hpp"
#include "server/app/routing_table.hpp"
#include "server/app/workflow_command.hpp"
#include "server/app/workflow_files.hpp"
#include "server/pg/cluster_watch.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "server/pg/migrations.hpp"

namespace petitiond::app {

namespace {

void report_cluster_state(const pg::ClusterState& state) {
  if (state.up) spdlog::info("the embedded PostgreSQL is up again (restart {})", state.restarts);
  else spdlog::error("the embedded PostgreSQL is down: {}", state.problem);
}

}  // namespace

int run(const Config& config) {
  std::signal(SIGPIPE, SIG_IGN);
  if (config.command == "workflow")
    return config.arguments[0] == "graph" ? graph_workflow_file(config.arguments[1])
                                          : check_workflow_file(config.arguments[1]);
  if (config.command == "backup") return run_backup(config);
  if (config.command == "restore") return run_restore(config);
  workflow::WorkflowSet workflows;
  for (auto& definition : load_shipped_workflows()) {
    spdlog::info("workflow {} version {}: {} states, {} transitions, {} clocks, {} escalation rules",
                 definition.workflow, definition.version, definition.states.size(), definition.transitions.size(),
                 definition.clocks.size(), definition.escalations.size());
    workflows.add(std::move(definition));
  }
  auto calendars = load_calendars(config.calendar_dir);
  auto routing = load_routing_table(config.routing_file);
  spdlog::info("routing table with {} categories", routing.categories().size());
  for (const auto& name : calendars.names()) spdlog::info("working calendar {} loaded", name);
  int exit_code = 0;
  std::optional<pg::EmbeddedCluster> cluster;
  std::string url = config.database_url;
  if (url.empty()) {
    std::filesystem::create_directories(config.data_dir);
    pg::ClusterOptions options{config.data_dir, config.pg_bin};
    options.wal_archive = config.wal_archive;
    cluster.emplace(options);
    spdlog::info("starting the embedded PostgreSQL under {}", std::filesystem::absolute(config.data_dir).string());
    cluster->start();
    url = cluster->url();
  }

  auto report = pg::migrate(url, pg::shipped_schema(PETITIOND_VERSION));
  if (!report.newer.empty())
    spdlog::warn("the database has migrations of a newer petitiond ({}); this one runs on them until it is upgraded",
                 fmt::join(report.newer, ", "));
  if (report.functions_kept) spdlog::info("SQL functions of a newer petitiond left in place");
  for (const auto& name : report.applied) spdlog::info("applied migration {}", name);
  if (!report.functions_applied.empty())
    spdlog::info("applied {} SQL function files: {}", report.functions_applied.size(),
                 fmt::join(report.functions_applied, ", "));
  spdlog::info("database schema at version {}", report.version);

  if (config.command == "serve") {
    if (config.demo) {
      load_demo_data(url);
      const auto started = std::chrono::steady_clock::now();
      if (const int made = load_demo_history(url, config.demo_days, workflows, calendars, routing))
        spdlog::info(
            "demo: {} days of petitions ({}) made in {} s", config.demo_days, made,
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count());
    }
    install_workflow_files(config.data_dir / "workflows", url, workflows);
    std::optional<pg::ClusterWatch> watch;
    if (cluster && cluster->owner()) watch.emplace(*cluster, report_cluster_state);
    Application application(config, url, report.version, workflows, calendars, routing, nullptr,
                            watch ? &*watch : nullptr);
    application.listen();
    if (config.demo) spdlog::info("{}", demo_login_help());
    application.run();
  } else if (config.command == "user" || config.command == "units" || config.command == "settings") {
    exit_code = run_admin_command(config, url);
  }
  if (cluster) {
    spdlog::info("stopping the embedded PostgreSQL");
    cluster->stop();
  }
  if (config.command == "serve") spdlog::info("stopped");
  return exit_code;
}

}  // namespace petitiond::app
