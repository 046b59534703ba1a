#include "server/app/config.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

namespace petitiond::app {
namespace po = boost::program_options;
namespace {

constexpr const char* usage =
    "petitiond: hotline and petition (信访) case-handling server\n\n"
    "Usage: petitiond [serve] [options]     run the server (default)\n"
    "       petitiond migrate [options]     apply database migrations and exit\n"
    "       petitiond user add LOGIN --name NAME --unit CODE --role ROLE [--role ROLE] [--phone PHONE]\n"
    "       petitiond user disable LOGIN\n"
    "       petitiond user reset-password LOGIN\n"
    "                                       (add and reset-password print a new password, or read it\n"
    "                                       from standard input with --password-stdin)\n"
    "       petitiond units import FILE     create or update units from a .yaml or .csv file\n"
    "       petitiond units export [--format yaml|csv]   write the whole tree to standard output\n"
    "       petitiond settings get [NAME]   print the settings as JSON (secrets only as set or unset)\n"
    "       petitiond settings set NAME VALUE   change one (VALUE is JSON or a bare word; - reads standard input)\n"
    "       petitiond workflow check FILE   validate a workflow definition (no database needed)\n"
    "       petitiond workflow graph FILE   print its state graph as Graphviz DOT\n"
    "       petitiond backup --to DIR       online backup of the embedded database and the attachments\n"
    "       petitiond restore --from DIR --data-dir NEW [--wal-archive DIR] [--until TIME]\n"
    "                                       bring a backup back into a new data directory (with the WAL\n"
    "                                       archive: up to its end, or to TIME)\n\n"
    "Every option can also be set as an environment variable PETITIOND_<NAME> (upper case, '-' as '_'),\n"
    "or as 'name = value' in the file given by --config. Flags win over the environment, which wins\n"
    "over the file.\n\nOptions";

// Twice the cores: more connections than the database can run at once only queue inside PostgreSQL.
std::size_t default_pool_size() {
  return std::max<std::size_t>(4, 2 * std::max(1u, std::thread::hardware_concurrency()));
}

po::options_description describe() {
  po::options_description d(usage, 110, 44);
  // clang-format off
  d.add_options()
    ("help,h", "print this help and exit")
    ("version", "print the version and exit")
    ("config", po::value<std::string>(), "read further options from this file (name = value lines)")
    ("listen", po::value<std::string>()->default_value("127.0.0.1:8080"), "HOST:PORT to serve HTTP on (port 0 picks a free one)")
    ("data-dir", po::value<std::string>()->default_value("./var"), "directory for the embedded database and files")
    ("database-url", po::value<std::string>(), "postgres://… URL of an existing database; without it petitiond runs its own PostgreSQL under --data-dir")
    ("database-read-url", po::value<std::string>(), "postgres://… URL of a standby (streaming replica) that serves reports, drill-downs and exports; they fall back to the primary while it is down")
    ("pg-bin", po::value<std::string>(), "directory of the PostgreSQL server programs (default: newest /usr/lib/postgresql/*/bin)")
    ("demo", po::value<bool>()->default_value(false)->implicit_value(true)->zero_tokens(), "load the demo data set")
    ("demo-days", po::value<int>()->default_value(365), "with --demo, how many days of petitions to make up at the first start (0 to 730)")
    ("log-format", po::value<std::string>()->default_value("text"), "text, json (one JSON object per line) or journal (for systemd: no timestamp, each line led by its syslog priority)")
    ("log-level", po::value<std::string>()->default_value("info"), "trace, debug, info, warn, error, critical or off")
    ("threads", po::value<unsigned>()->default_value(1), "threads serving requests")
    ("body-limit", po::value<std::size_t>()->default_value(1024 * 1024), "largest request body in bytes (larger: 413)")
    ("header-limit", po::value<std::size_t>()->default_value(16 * 1024), "largest request header block in bytes (larger: 431)")
    ("read-timeout", po::value<double>()->default_value(10), "seconds a client may take to send one request")
    ("idle-timeout", po::value<double>()->default_value(60), "seconds a kept-alive connection may sit idle")
    ("write-timeout", po::value<double>()->default_value(10), "seconds a client may take to receive one response")
    ("shutdown-timeout", po::value<double>()->default_value(10), "seconds requests in flight get to finish on SIGTERM/SIGINT")
    ("db-pool-size", po::value<std::size_t>()->default_value(default_pool_size()), "most database connections held open (default: twice the cores, at least 4; raise it for a database on its own larger machine)")
    ("db-acquire-timeout", po::value<double>()->default_value(2), "seconds a request waits for a free database connection (then 503)")
    ("db-statement-timeout", po::value<double>()->default_value(5), "seconds one database round trip may take (then 503)")
    ("db-connect-timeout", po::value<double>()->default_value(5), "seconds to wait when opening a database connection")
    ("session-idle-timeout", po::value<double>()->default_value(1800), "seconds of inactivity after which a log-in session ends")
    ("session-lifetime", po::value<double>()->default_value(43200), "seconds after which a log-in session ends however active")
    ("attachment-dir", po::value<std::string>(), "where attachments are stored (default: DATA_DIR/attachments)")
    ("search-index-dir", po::value<std::string>(), "this process's text search index, rebuilt from the database when missing (default: DATA_DIR/search-index)")
    ("search-interval", po::value<long>()->default_value(200), "ms between the text index's passes over changed petitions")
    ("attachment-limit", po::value<std::size_t>()->default_value(10 * 1024 * 1024), "largest attachment in bytes (larger: 413)")
    ("scheduler-interval", po::value<long>()->default_value(1000), "longest sleep in ms of the deadline scheduler (0: this process fires no escalations)")
    ("notify-interval", po::value<long>()->default_value(1000), "ms between passes of the notification dispatcher when idle (0: this process sends no notifications)")
    ("notify-lease", po::value<long>()->default_value(120), "seconds a claimed notification is left to the process that claimed it (after that another sends it again)")
    ("webhooks-allow-private", po::value<bool>()->default_value(false)->implicit_value(true)->zero_tokens(), "let webhooks post to this machine and private networks (an intranet's own systems)")
    ("message-templates", po::value<std::string>(), "message templates (YAML) laid over the shipped ones, topic by topic; read again when changed")
    ("web-root", po::value<std::string>(), "the web app's built files, served at / (scripts/run.sh gives web-admin/dist); none: the API only")
    ("routing", po::value<std::string>(), "routing table (YAML) to use instead of the shipped default")
    ("calendar-dir", po::value<std::string>(), "more working-calendar files (*.yaml), e.g. next year's official dates (default: DATA_DIR/calendars)")
    ("wal-archive", po::value<std::string>(), "serve: copy every finished WAL segment of the embedded database here (for point-in-time recovery); restore: replay the WAL from here")
    ("to", po::value<std::string>(), "backup: the directory to write (must not exist, or be empty)")
    ("from", po::value<std::string>(), "restore: the backup directory")
    ("until", po::value<std::string>(), "restore: recover what was committed up to this time, e.g. '2026-12-03 14:05:00+08' (needs --wal-archive)")
    ("tls-cert", po::value<std::string>(), "PEM certificate chain: with --tls-key, serve HTTPS")
    ("tls-key", po::value<std::string>(), "PEM private key for --tls-cert")
    ("name", po::value<std::string>(), "user add: display name")
    ("unit", po::value<std::string>(), "user add: code of the user's unit")
    ("role", po::value<std::vector<std::string>>()->composing(), "user add: operator, proxy, handler, manager or admin (repeatable)")
    ("phone", po::value<std::string>(), "user add: phone number")
    ("format", po::value<std::string>(), "units import/export: yaml or csv (default: from the file name; export: yaml)")
    ("password-stdin", po::bool_switch(), "user add / reset-password: read the password from standard input")
    ("command", po::value<std::string>(), "")
    ("arguments", po::value<std::vector<std::string>>(), "");
  // clang-format on
  return d;
}

std::chrono::milliseconds seconds_option(const po::variables_map& vm, const char* name) {
  double seconds = vm[name].as<double>();
  if (!(seconds > 0) || seconds > 86400)
    throw ConfigError(std::string("--") + name + ": must be more than 0 and at most 86400 seconds");
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::chrono::seconds whole_seconds(const po::variables_map& vm, const char* name) {
  auto ms = seconds_option(vm, name);
  if (ms < std::chrono::seconds(1)) throw ConfigError(std::string("--") + name + ": must be at least 1 second");
  return std::chrono::duration_cast<std::chrono::seconds>(ms);
}

// Each command takes a fixed shape of arguments.
void check_command(const std::string& command, const std::vector<std::string>& args) {
  auto expect = [&](size_t count, const char* shape) {
    if (args.size() != count) throw ConfigError("usage: petitiond " + command + " " + shape);
  };
  if (command == "serve" || command == "migrate" || command == "backup" || command == "restore") {
    if (!args.empty()) throw ConfigError("unexpected argument '" + args.front() + "'");
  } else if (command == "user") {
    if (args.empty() || (args[0] != "add" && args[0] != "disable" && args[0] != "reset-password"))
      throw ConfigError("usage: petitiond user add|disable|reset-password LOGIN …");
    expect(2, "add|disable|reset-password LOGIN");
  } else if (command == "units") {
    if (args.empty() || (args[0] != "import" && args[0] != "export"))
      throw ConfigError("usage: petitiond units import FILE | units export");
    expect(args[0] == "import" ? 2 : 1, args[0] == "import" ? "import FILE" : "export [--format yaml|csv]");
  } else if (command == "settings") {
    if (args.empty() || (args[0] != "get" && args[0] != "set"))
      throw ConfigError("usage: petitiond settings get [NAME] | settings set NAME VALUE");
    if (args[0] == "get" && args.size() > 2) throw ConfigError("usage: petitiond settings get [NAME]");
    if (args[0] == "set") expect(3, "set NAME VALUE (JSON, or - to read it from standard input)");
  } else if (command == "workflow") {
    if (args.empty() || (args[0] != "check" && args[0] != "graph"))
      throw ConfigError("usage: petitiond workflow check|graph FILE");
    expect(2, "check|graph FILE");
  } else {
    throw ConfigError("unknown command '" + command +
                      "' (expected serve, migrate, user, units, settings, workflow, backup or restore)");
  }
}

void parse_listen(const std::string& value, Config& config) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
    throw ConfigError("--listen: expected HOST:PORT, got '" + value + "'");
  std::string host = value.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec && host != "localhost") throw ConfigError("--listen: '" + host + "' is not an IP address");
  unsigned port = 0;
  auto port_text = value.substr(colon + 1);
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    throw ConfigError("--listen: '" + port_text + "' is not a port number");
  config.listen_host = host == "localhost" ? "127.0.0.1" : host;
  config.listen_port = static_cast<unsigned short>(port);
}

std::string environment_name(const std::string& option) {
  std::string name = "PETITIOND_";
  for (char c : option) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

ParsedConfig parse_config(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment) {
  auto description = describe();
  po::positional_options_description positional;
  positional.add("command", 1).add("arguments", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(description).positional(positional).run(), vm);

    po::parsed_options from_environment(&description);
    for (const auto& option : description.options()) {
      const auto& name = option->long_name();
      if (name == "command" || name == "arguments" || name == "help" || name == "version") continue;
      if (auto it = environment.find(environment_name(name)); it != environment.end())
        from_environment.options.emplace_back(name, std::vector<std::string>{it->second});
    }
    po::store(from_environment, vm);

    if (vm.count("config")) {
      const auto path = vm["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) throw ConfigError("--config: cannot read " + path);
      po::store(po::parse_config_file(file, description, false), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  }

  if (vm.count("help")) {
    std::ostringstream out;
    out << description;
    std::string text = out.str();
    // The positional placeholders are documented in the usage lines, not as options.
    for (const char* hidden : {"  --command arg", "  --arguments arg"}) {
      auto at = text.find(hidden);
      if (at != std::string::npos) text.erase(at, text.find('\n', at) - at + 1);
    }
    return {std::nullopt, text};
  }
  if (vm.count("version")) return {std::nullopt, "petitiond " PETITIOND_VERSION "\n"};

  Config config;
  if (vm.count("command")) config.command = vm["command"].as<std::string>();
  if (vm.count("arguments")) config.arguments = vm["arguments"].as<std::vector<std::string>>();
  check_command(config.command, config.arguments);
  auto& command_options = config.command_options;
  if (vm.count("name")) command_options.name = vm["name"].as<std::string>();
  if (vm.count("unit")) command_options.unit = vm["unit"].as<std::string>();
  if (vm.count("phone")) command_options.phone = vm["phone"].as<std::string>();
  if (vm.count("role")) command_options.roles = vm["role"].as<std::vector<std::string>>();
  if (vm.count("format")) {
    command_options.format = vm["format"].as<std::string>();
    if (command_options.format != "yaml" && command_options.format != "csv")
      throw ConfigError("--format: expected yaml or csv, got '" + command_options.format + "'");
  }
  command_options.password_stdin = vm["password-stdin"].as<bool>();

  parse_listen(vm["listen"].as<std::string>(), config);
  config.data_dir = vm["data-dir"].as<std::string>();
  if (config.data_dir.empty()) throw ConfigError("--data-dir: must not be empty");
  if (vm.count("database-url")) {
    config.database_url = vm["database-url"].as<std::string>();
    if (!config.database_url.starts_with("postgres://") && !config.database_url.starts_with("postgresql://"))
      throw ConfigError("--database-url: expected a postgres:// or postgresql:// URL");
  }
  if (vm.count("database-read-url")) {
    config.database_read_url = vm["database-read-url"].as<std::string>();
    if (!config.database_read_url.starts_with("postgres://") && !config.database_read_url.starts_with("postgresql://"))
      throw ConfigError("--database-read-url: expected a postgres:// or postgresql:// URL");
  }
  if (vm.count("pg-bin")) config.pg_bin = vm["pg-bin"].as<std::string>();
  config.calendar_dir = vm.count("calendar-dir") ? std::filesystem::path(vm["calendar-dir"].as<std::string>())
                                                 : config.data_dir / "calendars";
  config.attachment_dir = vm.count("attachment-dir") ? std::filesystem::path(vm["attachment-dir"].as<std::string>())
                                                     : config.data_dir / "attachments";
  config.attachment_limit = vm["attachment-limit"].as<std::size_t>();
  if (config.attachment_limit < 1024) throw ConfigError("--attachment-limit: must be at least 1024 bytes");
  if (vm.count("routing")) config.routing_file = vm["routing"].as<std::string>();
  config.search_index_dir = vm.count("search-index-dir")
                                ? std::filesystem::path(vm["search-index-dir"].as<std::string>())
                                : config.data_dir / "search-index";
  if (vm["search-interval"].as<long>() < 10) throw ConfigError("--search-interval: must be at least 10 (ms)");
  config.search_interval = std::chrono::milliseconds(vm["search-interval"].as<long>());
  if (vm["scheduler-interval"].as<long>() < 0) throw ConfigError("--scheduler-interval: must not be negative");
  config.scheduler_interval = std::chrono::milliseconds(vm["scheduler-interval"].as<long>());
  if (vm["notify-interval"].as<long>() < 0) throw ConfigError("--notify-interval: must not be negative");
  config.notify_interval = std::chrono::milliseconds(vm["notify-interval"].as<long>());
  if (vm["notify-lease"].as<long>() < 1) throw ConfigError("--notify-lease: must be at least 1 second");
  config.notify_lease = std::chrono::seconds(vm["notify-lease"].as<long>());
  if (vm.count("message-templates")) config.message_templates = vm["message-templates"].as<std::string>();
  if (vm.count("web-root")) {
    config.web_root = vm["web-root"].as<std::string>();
    if (!std::filesystem::is_regular_file(*config.web_root / "index.html"))
      throw ConfigError("--web-root: no index.html in " + config.web_root->string() + " (build it: scripts/build.sh)");
  }
  config.demo = vm["demo"].as<bool>();
  config.demo_days = vm["demo-days"].as<int>();
  if (config.demo_days < 0 || config.demo_days > 730) throw ConfigError("--demo-days: must be 0 to 730");
  config.webhooks_allow_private = vm["webhooks-allow-private"].as<bool>();
  if (vm.count("wal-archive")) {
    config.wal_archive = vm["wal-archive"].as<std::string>();
    if (config.wal_archive.empty()) throw ConfigError("--wal-archive: must not be empty");
  }
  if (vm.count("to")) config.backup.to = vm["to"].as<std::string>();
  if (vm.count("from")) config.backup.from = vm["from"].as<std::string>();
  if (vm.count("until")) config.backup.until = vm["until"].as<std::string>();
  if (config.command == "backup" && config.backup.to.empty()) throw ConfigError("backup: say where with --to DIR");
  if (config.command == "restore") {
    if (config.backup.from.empty()) throw ConfigError("restore: say which backup with --from DIR");
    if (vm["data-dir"].defaulted()) throw ConfigError("restore: say where with --data-dir NEW (a new directory)");
    if (config.backup.until && config.wal_archive.empty())
      throw ConfigError("--until: needs the WAL archive (--wal-archive DIR) to replay up to that time");
  }
  if (!config.database_url.empty() && !config.wal_archive.empty())
    throw ConfigError(
        "--wal-archive: archives the embedded database's WAL; with --database-url set archive_command "
        "on that server (README, Operations)");
  if (!config.database_url.empty() && (config.command == "backup" || config.command == "restore"))
    throw ConfigError(config.command +
                      ": petitiond backs up its own embedded database; with --database-url use PostgreSQL's own "
                      "tools (pg_basebackup, pgBackRest) and copy the attachment directory (README, Operations)");

  const auto format = vm["log-format"].as<std::string>();
  if (format == "json") config.log_format = log::Format::json;
  else if (format == "journal") config.log_format = log::Format::journal;
  else if (format != "text") throw ConfigError("--log-format: expected text, json or journal, got '" + format + "'");
  config.log_level = vm["log-level"].as<std::string>();
  static const std::vector<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(levels.begin(), levels.end(), config.log_level) == levels.end())
    throw ConfigError("--log-level: expected one of trace, debug, info, warn, error, critical, off");

  config.threads = vm["threads"].as<unsigned>();
  if (config.threads < 1 || config.threads > 256) throw ConfigError("--threads: must be between 1 and 256");
  config.http.body_limit = vm["body-limit"].as<std::size_t>();
  if (config.http.body_limit < 1024) throw ConfigError("--body-limit: must be at least 1024 bytes");
  config.http.header_limit = vm["header-limit"].as<std::size_t>();
  if (config.http.header_limit < 1024 || config.http.header_limit > (1u << 20))
    throw ConfigError("--header-limit: must be between 1024 and 1048576 bytes");
  config.http.read_timeout = seconds_option(vm, "read-timeout");
  config.http.idle_timeout = seconds_option(vm, "idle-timeout");
  config.http.write_timeout = seconds_option(vm, "write-timeout");
  config.shutdown_timeout = seconds_option(vm, "shutdown-timeout");
  config.db_pool_size = vm["db-pool-size"].as<std::size_t>();
  if (config.db_pool_size < 1 || config.db_pool_size > 1000)
    throw ConfigError("--db-pool-size: must be between 1 and 1000");
  config.db_acquire_timeout = seconds_option(vm, "db-acquire-timeout");
  config.db_statement_timeout = seconds_option(vm, "db-statement-timeout");
  config.db_connect_timeout = seconds_option(vm, "db-connect-timeout");
  config.session_idle_timeout = whole_seconds(vm, "session-idle-timeout");
  config.session_lifetime = whole_seconds(vm, "session-lifetime");
  if (vm.count("tls-cert") != vm.count("tls-key")) throw ConfigError("--tls-cert and --tls-key go together");
  if (vm.count("tls-cert")) {
    config.tls_cert = vm["tls-cert"].as<std::string>();
    config.tls_key = vm["tls-key"].as<std::string>();
    for (const auto& [option, path] :
         {std::pair{"--tls-cert", config.tls_cert}, std::pair{"--tls-key", config.tls_key}})
      if (!std::ifstream(path)) throw ConfigError(std::string(option) + ": cannot read " + path.string());
  }
  return {config, {}};
}

}  // namespace petitiond::app
