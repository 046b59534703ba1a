#include <signal.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond::test;
using Catch::Matchers::Contains;

TEST_CASE("health, readiness and metrics answer") {
  TestDatabase db;
  // No deadline scheduler nor notification dispatcher: their passes would borrow pool connections while the
  // pool gauges are read.
  PetitiondProcess server({"--database-url", db.url(), "--scheduler-interval", "0", "--notify-interval", "0"});

  auto health = http_request(server.port(), "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.json().at("status").as_string() == "ok");
  CHECK(health.header("content-type") == "application/json; charset=utf-8");

  auto ready = http_request(server.port(), "GET", "/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.json().at("schema_version").as_int64() >= 1);

  auto head = http_request(server.port(), "HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.header("content-length") == health.header("content-length"));
  CHECK(head.body.empty());

  const std::string healthz_count =
      "petitiond_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\",status=\"200\"} ";
  auto count_in = [&](const std::string& text) {
    auto at = text.find(healthz_count);
    REQUIRE(at != std::string::npos);
    return std::stoi(text.substr(at + healthz_count.size()));
  };
  auto before = http_request(server.port(), "GET", "/metrics");
  http_request(server.port(), "GET", "/healthz");
  auto metrics = http_request(server.port(), "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.header("content-type"), Contains("text/plain"));
  CHECK(count_in(metrics.body) == count_in(before.body) + 1);
  CHECK_THAT(metrics.body, Contains("route=\"/readyz\",method=\"GET\",status=\"200\""));
  auto gauge = [&](const std::string& name) {
    const auto at = metrics.body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stoi(metrics.body.substr(at + name.size() + 2));
  };
  // The text index's follower takes a connection for its pass every 200 ms.
  CHECK(gauge("petitiond_db_pool_in_use") <= 1);
  CHECK(gauge("petitiond_db_pool_waiting") == 0);
  CHECK((gauge("petitiond_db_pool_open") == 1 || gauge("petitiond_db_pool_open") == 2));
}

TEST_CASE("with --database-url petitiond starts no PostgreSQL of its own") {
  TestDatabase db;
  ScratchDir dir;
  PetitiondProcess server({"--database-url", db.url(), "--data-dir", dir.path().string()});
  CHECK(http_request(server.port(), "GET", "/readyz").status == 200);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "postgres"));
  CHECK_THAT(server.output(), !Contains("embedded PostgreSQL"));
}

TEST_CASE("unknown paths are 404 and wrong methods 405, both with the JSON error shape") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url()});

  auto missing = http_request(server.port(), "GET", "/no/such/thing");
  CHECK(missing.status == 404);
  auto error = missing.json().at("error").as_object();
  CHECK(error.at("code").as_string() == "not_found");
  CHECK(error.at("message").is_string());
  CHECK(error.contains("field"));

  auto wrong = http_request(server.port(), "DELETE", "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.header("allow") == "GET, HEAD");
  CHECK(wrong.json().at("error").at("code").as_string() == "method_not_allowed");

  auto bad_target = http_request(server.port(), "GET", "/a%zz");
  CHECK(bad_target.status == 400);
  CHECK(bad_target.json().at("error").at("code").as_string() == "bad_request");
}

TEST_CASE("every response carries a request id that also appears in the JSON log, and paths are not logged") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url(), "--log-format", "json"});

  auto generated = http_request(server.port(), "GET", "/healthz");
  CHECK(generated.header("x-request-id").size() == 16);
  auto another = http_request(server.port(), "GET", "/healthz");
  CHECK(another.header("x-request-id") != generated.header("x-request-id"));

  auto echoed = http_request(server.port(), "GET", "/readyz", "", {{"X-Request-Id", "trace-me-42"}});
  CHECK(echoed.header("x-request-id") == "trace-me-42");
  auto replaced = http_request(server.port(), "GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}});
  CHECK(replaced.header("x-request-id").size() == 16);

  // A phone number in a path must not reach the log.
  http_request(server.port(), "GET", "/api/v1/callers/13812345678/history");

  server.stop(SIGTERM);
  auto log = server.output();
  CHECK_THAT(log, Contains("\"request_id\":\"trace-me-42\""));
  CHECK_THAT(log, Contains("\"request_id\":\"" + generated.header("x-request-id") + "\""));
  CHECK_THAT(log, !Contains("13812345678"));
  CHECK_THAT(log, !Contains("bad id with spaces"));
  // Every line is one JSON object.
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    CHECK(line.front() == '{');
    CHECK(line.back() == '}');
  }
}
