#include <catch2/catch.hpp>
#include <fstream>

#include "server/app/config.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace petitiond::app;
using Env = std::map<std::string, std::string>;

namespace {

Config parse(std::vector<std::string> args, Env env = {}) {
  auto parsed = parse_config(args, env);
  REQUIRE(parsed.config.has_value());
  return *parsed.config;
}

std::string error_of(std::vector<std::string> args, Env env = {}) {
  try {
    parse_config(args, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace

TEST_CASE("defaults serve on 127.0.0.1:8080 with the embedded database under ./var") {
  auto config = parse({});
  CHECK(config.command == "serve");
  CHECK(config.listen_host == "127.0.0.1");
  CHECK(config.listen_port == 8080);
  CHECK(config.data_dir == "./var");
  CHECK(config.database_url.empty());
  CHECK_FALSE(config.demo);
  CHECK(config.log_format == petitiond::log::Format::text);
  CHECK(config.http.body_limit == 1024 * 1024);
}

TEST_CASE("flags are read") {
  auto config =
      parse({"migrate", "--listen", "0.0.0.0:9000", "--data-dir", "/srv/p", "--database-url", "postgres://u@db/p",
             "--demo", "--log-format", "json", "--body-limit", "2048", "--read-timeout", "0.5", "--threads", "2"});
  CHECK(config.command == "migrate");
  CHECK(config.listen_host == "0.0.0.0");
  CHECK(config.listen_port == 9000);
  CHECK(config.data_dir == "/srv/p");
  CHECK(config.database_url == "postgres://u@db/p");
  CHECK(config.demo);
  CHECK(config.log_format == petitiond::log::Format::json);
  CHECK(config.http.body_limit == 2048);
  CHECK(config.http.read_timeout == std::chrono::milliseconds(500));
  CHECK(config.threads == 2);
}

TEST_CASE("flags win over the environment, which wins over the config file") {
  petitiond::test::ScratchDir dir;
  auto file = dir.path() / "petitiond.conf";
  std::ofstream(file) << "# comment\nlisten = 127.0.0.1:7001\nlog-level = debug\nthreads = 3\nbody-limit = 4096\n";

  auto from_file = parse({"--config", file.string()});
  CHECK(from_file.listen_port == 7001);
  CHECK(from_file.log_level == "debug");
  CHECK(from_file.threads == 3);

  Env env{{"PETITIOND_LISTEN", "127.0.0.1:7002"}, {"PETITIOND_THREADS", "4"}, {"PETITIOND_DEMO", "true"}};
  auto from_env = parse({"--config", file.string()}, env);
  CHECK(from_env.listen_port == 7002);
  CHECK(from_env.threads == 4);
  CHECK(from_env.log_level == "debug");  // only the file sets it
  CHECK(from_env.http.body_limit == 4096);
  CHECK(from_env.demo);

  auto from_flags = parse({"--config", file.string(), "--listen", "127.0.0.1:7003"}, env);
  CHECK(from_flags.listen_port == 7003);
  CHECK(from_flags.threads == 4);

  auto config_from_env = parse({}, {{"PETITIOND_CONFIG", file.string()}});
  CHECK(config_from_env.listen_port == 7001);
}

TEST_CASE("bad configuration names the option") {
  auto [args, env, option] = GENERATE(table<std::vector<std::string>, Env, std::string>({
      {{"--listen", "nonsense"}, {}, "--listen"},
      {{"--listen", "127.0.0.1:99999"}, {}, "--listen"},
      {{"--listen", "not-an-ip:80"}, {}, "--listen"},
      {{"--database-url", "mysql://x"}, {}, "--database-url"},
      {{"--log-format", "xml"}, {}, "--log-format"},
      {{"--log-level", "loud"}, {}, "--log-level"},
      {{"--threads", "0"}, {}, "--threads"},
      {{"--threads", "many"}, {}, "threads"},
      {{"--body-limit", "10"}, {}, "--body-limit"},
      {{"--read-timeout", "0"}, {}, "--read-timeout"},
      {{"--no-such-option"}, {}, "no-such-option"},
      {{}, {{"PETITIOND_THREADS", "lots"}}, "threads"},
      {{"--config", "/nonexistent/petitiond.conf"}, {}, "--config"},
      {{"frobnicate"}, {}, "frobnicate"},
      {{"backup"}, {}, "--to"},
      {{"restore", "--data-dir", "new"}, {}, "--from"},
      {{"restore", "--from", "b"}, {}, "--data-dir"},
      {{"restore", "--from", "b", "--data-dir", "new", "--until", "2026-12-03 10:00+08"}, {}, "--wal-archive"},
      {{"backup", "--to", "b", "--database-url", "postgres://x/y"}, {}, "pg_basebackup"},
      {{"--wal-archive", "w", "--database-url", "postgres://x/y"}, {}, "archive_command"},
  }));
  CAPTURE(args);
  CHECK_THAT(error_of(args, env), Catch::Matchers::Contains(option));
}

TEST_CASE("backup and restore take their directories, the archive and the time") {
  auto backup = parse({"backup", "--to", "/srv/b", "--data-dir", "/var/p"});
  CHECK(backup.command == "backup");
  CHECK(backup.backup.to == "/srv/b");
  auto restore = parse({"restore", "--from", "/srv/b", "--data-dir", "/var/new", "--wal-archive", "/srv/wal", "--until",
                        "2026-12-03 14:05:00+08"});
  CHECK(restore.backup.from == "/srv/b");
  CHECK(restore.data_dir == "/var/new");
  CHECK(restore.wal_archive == "/srv/wal");
  CHECK(restore.backup.until == "2026-12-03 14:05:00+08");
}

TEST_CASE("an unknown key in the config file is an error naming it") {
  petitiond::test::ScratchDir dir;
  auto file = dir.path() / "bad.conf";
  std::ofstream(file) << "listen = 127.0.0.1:1\nlisen = typo\n";
  CHECK_THAT(error_of({"--config", file.string()}), Catch::Matchers::Contains("lisen"));
}

TEST_CASE("--help documents every option") {
  auto parsed = parse_config({"--help"}, {});
  REQUIRE_FALSE(parsed.config.has_value());
  for (const char* option : {"--listen", "--data-dir", "--database-url", "--demo", "--log-format", "--body-limit",
                             "--header-limit", "--read-timeout", "--idle-timeout", "--shutdown-timeout",
                             "--db-pool-size", "--db-acquire-timeout", "--db-statement-timeout", "PETITIOND_"})
    CHECK_THAT(parsed.message, Catch::Matchers::Contains(option));
  CHECK_THAT(parsed.message, !Catch::Matchers::Contains("--command"));
}
