#include <libpq-fe.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("SIGTERM lets a request in flight finish, closes idle connections, and exits 0") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url()});

  RawConnection idle(server.port());
  idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE_THAT(idle.read_until("\"ok\"}", 2s), StartsWith("HTTP/1.1 200"));

  RawConnection busy(server.port());
  busy.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf-");  // body half sent
  std::this_thread::sleep_for(200ms);

  ::kill(server.pid(), SIGTERM);
  CHECK(idle.closed_within(2s));
  std::this_thread::sleep_for(300ms);
  CHECK(server.running());  // still waiting for the request in flight

  busy.send("done!");
  auto response = busy.read_until_closed(3s);
  CHECK_THAT(response, StartsWith("HTTP/1.1 200"));
  CHECK_THAT(response, Contains("Connection: close"));
  CHECK(server.wait_exit(5s) == 0);
  CHECK_THROWS(http_request(server.port(), "GET", "/healthz"));
}

TEST_CASE("shutdown waits no longer than the shutdown timeout for a stuck client") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url(), "--shutdown-timeout", "1", "--read-timeout", "30"});
  RawConnection stuck(server.port());
  stuck.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
  std::this_thread::sleep_for(200ms);
  auto started = std::chrono::steady_clock::now();
  CHECK(server.stop(SIGINT, 10s) == 0);
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= 900ms);
  CHECK(took < 4s);
}

TEST_CASE("the embedded database keeps its data across a restart on the same data directory") {
  ScratchDir dir;
  {
    PetitiondProcess server({"--data-dir", dir.path().string()});
    CHECK(http_request(server.port(), "GET", "/readyz").status == 200);
    pg::BlockingConnection conn(pg::embedded_url(dir.path(), "petitiond"));
    conn.exec("INSERT INTO settings (key, value) VALUES ('test.kept', '\"是\"')");
    CHECK(server.stop(SIGTERM) == 0);
    CHECK_THAT(server.output(), Contains("applied migration 0001_baseline.sql"));
    CHECK(PQping(pg::embedded_url(dir.path(), "postgres").c_str()) == PQPING_NO_RESPONSE);  // stopped with us
  }
  PetitiondProcess again({"--data-dir", dir.path().string()});
  CHECK(http_request(again.port(), "GET", "/readyz").status == 200);
  pg::BlockingConnection conn(pg::embedded_url(dir.path(), "petitiond"));
  CHECK(conn.exec("SELECT value #>> '{}' FROM settings WHERE key = 'test.kept'").text(0, 0) == "是");
  CHECK(again.stop(SIGTERM) == 0);
  CHECK_THAT(again.output(), !Contains("applied migration"));
}

TEST_CASE("after a crash of petitiond and its PostgreSQL, the next start recovers") {
  ScratchDir dir;
  {
    PetitiondProcess server({"--data-dir", dir.path().string()});
    pg::BlockingConnection(pg::embedded_url(dir.path(), "petitiond"))
        .exec("INSERT INTO settings (key, value) VALUES ('test.crash', '1')");
    std::ifstream pid_file(dir.path() / "postgres" / "data" / "postmaster.pid");
    long postmaster = 0;
    pid_file >> postmaster;
    REQUIRE(postmaster > 0);
    ::kill(server.pid(), SIGKILL);
    ::kill(static_cast<pid_t>(postmaster), SIGKILL);
    server.wait_exit(5s);
    for (int i = 0; i < 250 && ::kill(static_cast<pid_t>(postmaster), 0) == 0; ++i) std::this_thread::sleep_for(20ms);
  }
  PetitiondProcess again({"--data-dir", dir.path().string()});
  CHECK(http_request(again.port(), "GET", "/readyz").status == 200);
  pg::BlockingConnection conn(pg::embedded_url(dir.path(), "petitiond"));
  CHECK(conn.exec("SELECT count(*) FROM settings WHERE key = 'test.crash'").integer(0, 0) == 1);
}

TEST_CASE("petitiond migrate applies the migrations and exits, a changed migration stops start-up") {
  TestDatabase db;
  auto migrated = run_petitiond({"migrate", "--database-url", db.url()});
  CHECK(migrated.exit_code == 0);
  CHECK_THAT(migrated.output, Contains("applied migration 0001_baseline.sql"));
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT count(*) FROM schema_migrations").integer(0, 0) >= 1);

  conn.exec("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1");
  auto refused = run_petitiond({"--database-url", db.url(), "--listen", "127.0.0.1:" + std::to_string(free_port())});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Contains("0001_baseline.sql") && Contains("changed"));
}

TEST_CASE("the demo data loads only with --demo, with weeks of petitions, and loading it twice changes nothing") {
  TestDatabase plain, demo;
  { PetitiondProcess server({"--database-url", plain.url()}); }
  CHECK(pg::BlockingConnection(plain.url()).exec("SELECT count(*) FROM units").integer(0, 0) == 0);
  CHECK(pg::BlockingConnection(plain.url()).exec("SELECT count(*) FROM users").integer(0, 0) == 0);
  {
    PetitiondProcess server({"--database-url", demo.url(), "--demo", "--demo-days", "40"});
    CHECK_THAT(server.output(), Contains("demo log-ins (password 12385-demo)") && Contains("hotline1") &&
                                    Contains("proxy1") && Contains("days of petitions"));
  }
  {
    pg::BlockingConnection before(demo.url());
    const auto petitions = before.exec("SELECT count(*) FROM petitions").integer(0, 0);
    PetitiondProcess twice({"--database-url", demo.url(), "--demo"});  // idempotent: no second history
    CHECK(before.exec("SELECT count(*) FROM petitions").integer(0, 0) == petitions);
  }
  pg::BlockingConnection conn(demo.url());
  // The weeks' petitions came through the workflow: every channel, states from registered to closed, replies
  // recorded with satisfaction, and the units' own handlers (made for the demo) acting on them.
  CHECK(conn.exec("SELECT count(*) FROM petitions").integer(0, 0) > 100);
  CHECK(conn.exec("SELECT count(DISTINCT channel) FROM petitions").integer(0, 0) == 4);
  CHECK(conn.exec("SELECT count(DISTINCT state) FROM petitions").integer(0, 0) >= 4);
  CHECK(conn.exec("SELECT count(*) FROM report_facts WHERE measure = 'satisfaction'").integer(0, 0) > 10);
  CHECK(conn.exec("SELECT count(*) FROM outbox WHERE state = 'pending'").integer(0, 0) == 0);
  CHECK(conn.exec("SELECT count(*) FROM settings WHERE key = 'cti.token'").integer(0, 0) == 1);
  CHECK(conn.exec("SELECT count(*) FROM units WHERE nlevel(path) = 2 AND kind = 'area'").integer(0, 0) >= 30);
  CHECK(conn.exec("SELECT count(*) FROM units WHERE nlevel(path) = 3 AND kind = 'area'").integer(0, 0) >= 300);
  CHECK(conn.exec("SELECT count(*) FROM units WHERE kind = 'department'").integer(0, 0) >= 8);
  CHECK(conn.exec("SELECT count(DISTINCT r) FROM users, unnest(roles) r").integer(0, 0) == 5);  // every role
  const auto users = conn.exec("SELECT count(*) FROM users").integer(0, 0);
  CHECK(users > 15);  // the 15 demo log-ins and a handler for each unit the history dispatched to
  CHECK(conn.exec("SELECT count(*) FROM audit_log WHERE action = 'user.created'").integer(0, 0) == users);
}

TEST_CASE("bad configuration fails at start with a message naming the option") {
  auto bad_listen = run_petitiond({"--listen", "nowhere"});
  CHECK(bad_listen.exit_code == 2);
  CHECK_THAT(bad_listen.output, Contains("--listen"));

  auto from_env = run_petitiond({}, {{"PETITIOND_LOG_FORMAT", "xml"}});
  CHECK(from_env.exit_code == 2);
  CHECK_THAT(from_env.output, Contains("--log-format"));

  ScratchDir nowhere;
  auto unreachable =
      run_petitiond({"--database-url", "postgresql://petitiond@/x?host=" + nowhere.path().string() + "&port=5432"});
  CHECK(unreachable.exit_code == 1);
  CHECK_THAT(unreachable.output, Contains("cannot connect to the database"));

  TestDatabase db;
  PetitiondProcess first({"--database-url", db.url()});
  auto taken = run_petitiond({"--database-url", db.url(), "--listen", "127.0.0.1:" + std::to_string(first.port())});
  CHECK(taken.exit_code == 1);
  CHECK_THAT(taken.output, Contains("--listen"));

  auto help = run_petitiond({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Contains("--database-url"));
}
