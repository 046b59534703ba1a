#pragma once
// petitiond's configuration: command-line flags, then PETITIOND_* environment variables, then an
// optional config file (key = value lines), in that order of precedence.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/http/http_server.hpp"
#include "server/logging/log.hpp"

namespace petitiond::app {

struct Config {
  std::string command = "serve";       // serve | migrate | user | units | settings | workflow | backup | restore
  std::vector<std::string> arguments;  // after the command, e.g. {"add", "wang.fang"}
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8080;
  std::filesystem::path data_dir = "var";
  std::string database_url;       // empty: the embedded cluster under data_dir
  std::string database_read_url;  // a standby for reports, drill-downs and exports; empty: the primary
  std::filesystem::path pg_bin;
  bool demo = false;
  int demo_days = 365;  // of petitions the demo makes up at its first start
  log::Format log_format = log::Format::text;
  std::string log_level = "info";
  unsigned threads = 1;
  http::HttpOptions http;
  std::chrono::milliseconds shutdown_timeout{10'000};
  std::size_t db_pool_size = 4;
  std::chrono::milliseconds db_acquire_timeout{2'000};
  std::chrono::milliseconds db_statement_timeout{5'000};
  std::chrono::milliseconds db_connect_timeout{5'000};
  std::chrono::seconds session_idle_timeout{30 * 60};
  std::chrono::seconds session_lifetime{12 * 60 * 60};
  std::filesystem::path tls_cert, tls_key;         // both set: serve HTTPS
  std::filesystem::path calendar_dir;              // extra calendar files; default DATA_DIR/calendars
  std::filesystem::path attachment_dir;            // default DATA_DIR/attachments
  std::filesystem::path search_index_dir;          // default DATA_DIR/search-index
  std::chrono::milliseconds search_interval{200};  // between the text index's passes
  std::size_t attachment_limit = 10 * 1024 * 1024;
  bool webhooks_allow_private = false;  // webhooks may post to loopback, link-local and private addresses
  std::filesystem::path routing_file;   // empty: the shipped schemas/routing/default.yaml
  std::chrono::milliseconds scheduler_interval{1000};      // the deadline scheduler's longest sleep; 0: never runs
  std::chrono::milliseconds notify_interval{1000};         // the notification dispatcher's; 0: never runs
  std::chrono::seconds notify_lease{120};                  // how long a claimed delivery is left to its process
  std::optional<std::filesystem::path> message_templates;  // the admin's templates over the shipped ones
  std::optional<std::filesystem::path> web_root;           // the web app's built files; none: API only
  std::filesystem::path wal_archive;  // serve: archive the embedded cluster's WAL here; restore: replay it

  // Options of backup and restore.
  struct BackupOptions {
    std::filesystem::path to, from;
    std::optional<std::string> until;  // restore: recover up to this time (PostgreSQL's timestamptz syntax)
  } backup;

  // Options of the user and units commands.
  struct CommandOptions {
    std::string name, unit, phone, format;
    std::vector<std::string> roles;
    bool password_stdin = false;
  } command_options;
};

// A configuration mistake; the message names the option.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ParsedConfig {
  std::optional<Config> config;  // empty when help or the version was asked for
  std::string message;           // help or version text to print
};

ParsedConfig parse_config(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment);

}  // namespace petitiond::app
