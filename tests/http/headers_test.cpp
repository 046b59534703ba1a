// Headers on every kind of response: nothing personal cached, no sniffing, no referrer leaving the site, and
// no HTML page framed by another site (the printable receipt included).
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;

TEST_CASE("every response says how it may be cached, sniffed, referred and framed") {
  OrgFixture org;
  ScratchDir web("web-root");
  std::ofstream(web.path() / "index.html") << "<!doctype html><title>app</title>";
  TestServer server(org, {"--web-root", web.path().string()});
  const auto port = server.port();
  Session op(port, "operator", fixture_password);
  auto filed =
      op.send("POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"other","subject":"轮椅维修","content":"轮椅坏了。",)"
              R"("petitioner":{"name":"钱七","phone":"13912340088"}})");
  REQUIRE(filed.status == 201);
  const auto path = "/api/v1/petitions/" + std::to_string(filed.json().at("id").to_number<std::int64_t>());

  const std::vector<std::pair<std::string, HttpReply>> replies{
      {"petition", op.get(path)},
      {"list", op.get("/api/v1/petitions")},
      {"receipt", op.get(path + "/receipt")},
      {"error", op.get("/api/v1/petitions/999999")},
      {"no route", http_request(port, "GET", "/api/v1/nothing-here")},
      {"health", http_request(port, "GET", "/healthz")},
      {"page", http_request(port, "GET", "/portal")}};
  for (const auto& [name, reply] : replies) {
    CAPTURE(name);
    CHECK(reply.header("x-content-type-options") == "nosniff");
    CHECK(reply.header("referrer-policy") == "same-origin");
    CHECK(reply.header("strict-transport-security").empty());  // plain HTTP here: only over TLS
    if (name != "page") CHECK(reply.header("cache-control") == "no-store");
    if (reply.header("content-type").starts_with("text/html"))
      CHECK(reply.header("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
  }
  CHECK(replies[2].second.header("content-type").starts_with("text/html"));
  CHECK(replies[6].second.header("content-type").starts_with("text/html"));
}
