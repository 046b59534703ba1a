#include <catch2/catch.hpp>
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

  cluster.start();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = http_request(server.port(), "GET", "/readyz").status;
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  CHECK(status == 200);
}
