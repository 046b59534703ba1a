#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <thread>

#include "server/pg/embedded_cluster.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;

TEST_CASE("while the database is down requests get 503 with a JSON error, and the server recovers by itself") {
  ScratchDir dir;
  pg::EmbeddedCluster cluster({dir.path(), {}, "outage", false});
  cluster.start();
  PetitiondProcess server({"--database-url", cluster.url(), "--db-connect-timeout", "1"});
  REQUIRE(http_request(server.port(), "GET", "/readyz").status == 200);

  cluster.stop();
  auto started = std::chrono::steady_clock::now();
  auto down = http_request(server.port(), "GET", "/readyz");
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(down.status == 503);
  CHECK(down.json().at("error").at("code").as_string() == "unavailable");
  CHECK(down.header("retry-after") == "1");
  CHECK(http_request(server.port(), "GET", "/healthz").status == 200);  // the process itself is fine
  CHECK(http_request(server.port(), "GET", "/readyz").status == 503);
  // A request that needs the database: a plain message and the request id, never libpq's words (which name
  // the socket path here, or host and port), which go to the log.
  auto refused =
      http_request(server.port(), "POST", "/api/v1/auth/login", R"({"login":"admin","password":"whatever-1"})",
                   {{"Content-Type", "application/json"}, {"X-Request-Id", "outage-42"}});
  CHECK(refused.status == 503);
  const std::string message(refused.json().at("error").at("message").as_string());
  CAPTURE(message);
  CHECK(message.find("outage-42") != std::string::npos);
  CHECK(message.find(dir.path().string()) == std::string::npos);
  CHECK(message.find("socket") == std::string::npos);
  CHECK(message.find("connect") == std::string::npos);

  cluster.start();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = http_request(server.port(), "GET", "/readyz").status;
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  CHECK(status == 200);
}

namespace {

long postmaster_pid(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / "postgres" / "data" / "postmaster.pid");
  long pid = 0;
  in >> pid;
  return pid;
}

bool alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

}  // namespace

TEST_CASE("the embedded PostgreSQL, killed, is started again by petitiond, which says so on /readyz and /metrics") {
  ScratchDir dir;
  PetitiondProcess server({"--data-dir", dir.path().string(), "--db-connect-timeout", "1"});
  REQUIRE(http_request(server.port(), "GET", "/readyz").status == 200);
  const long first = postmaster_pid(dir.path());
  REQUIRE(alive(first));

  ::kill(static_cast<pid_t>(first), SIGKILL);
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) {
    status = http_request(server.port(), "GET", "/readyz").status;
    if (status == 200) std::this_thread::sleep_for(50ms);
  }
  // Down for a moment (or already back): then up again by itself, on a new postmaster.
  boost::json::value ready;
  for (int i = 0; i < 600; ++i) {
    auto reply = http_request(server.port(), "GET", "/readyz");
    if (reply.status == 200) {
      ready = reply.json();
      break;
    }
    CHECK(reply.json().at("error").at("code").as_string() == "unavailable");
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(ready.is_object());
  CHECK(ready.at("checks").at("embedded_postgres").as_string() == "ok");
  CHECK(ready.at("checks").at("attachments").as_string() == "ok");
  const long second = postmaster_pid(dir.path());
  CHECK(second != first);
  CHECK(alive(second));
  auto metrics = http_request(server.port(), "GET", "/metrics").body;
  CHECK(metrics.find("petitiond_embedded_postgres_up 1") != std::string::npos);
  CHECK(metrics.find("petitiond_embedded_postgres_restarts 1") != std::string::npos);
  // Requests are served again: a log-in reads and writes the database.
  auto in = login(server.port(), "nobody", "wrong-password-1");
  CHECK(in.status == 401);

  CHECK(server.stop(SIGTERM) == 0);
  for (int i = 0; i < 200 && alive(second); ++i) std::this_thread::sleep_for(20ms);
  CHECK_FALSE(alive(second));
}

TEST_CASE(
    "ownership of the embedded PostgreSQL is a lock: a dead owner's server is adopted and stopped with the adopter") {
  ScratchDir dir;
  PetitiondProcess first({"--data-dir", dir.path().string()});
  const long postmaster = postmaster_pid(dir.path());
  REQUIRE(alive(postmaster));
  // The owner dies and is not reaped yet: its pid still exists (a zombie), but its lock is gone.
  ::kill(first.pid(), SIGKILL);
  std::this_thread::sleep_for(300ms);
  REQUIRE(alive(first.pid()));  // the zombie
  {
    PetitiondProcess second({"--data-dir", dir.path().string()});
    REQUIRE(http_request(second.port(), "GET", "/readyz").status == 200);
    CHECK(postmaster_pid(dir.path()) == postmaster);  // adopted, not started twice
    CHECK(second.stop(SIGTERM) == 0);
  }
  for (int i = 0; i < 200 && alive(postmaster); ++i) std::this_thread::sleep_for(20ms);
  CHECK_FALSE(alive(postmaster));
  first.wait_exit(std::chrono::milliseconds(1000));
}

TEST_CASE("an attachment directory that cannot be written makes /readyz say so") {
  ScratchDir dir;
  TestDatabase db;
  const auto attachments = dir.path() / "attachments";
  std::filesystem::create_directories(attachments);
  PetitiondProcess server({"--database-url", db.url(), "--attachment-dir", attachments.string()});
  REQUIRE(http_request(server.port(), "GET", "/readyz").status == 200);
  // A file where the directory should be: nothing can be created in it, whoever runs the server.
  std::filesystem::remove_all(attachments);
  std::ofstream(attachments) << "not a directory";
  auto reply = http_request(server.port(), "GET", "/readyz");
  CHECK(reply.status == 503);
  CHECK(reply.json().at("checks").at("attachments").as_string() != "ok");
  CHECK(reply.json().at("checks").at("database").as_string() == "ok");
  CHECK(reply.body.find(attachments.string()) == std::string::npos);  // anyone may ask: no paths in the answer
}
