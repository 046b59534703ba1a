// The web app's files: served outside /api/, each app path answered with index.html, hashed assets cached
// for a year, nothing outside the web root reachable, and API paths never mistaken for pages.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;

TEST_CASE("the web app's files are served beside the API, and nothing else from the disk") {
  OrgFixture org;
  ScratchDir web("web-root");
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.path() / "index.html") << "<!doctype html><title>app</title>";
  std::ofstream(web.path() / "assets" / "index-abc123.js") << "console.log(1)";
  std::ofstream(web.path().parent_path() / "secret.txt") << "not for the web";
  TestServer server(org, {"--web-root", web.path().string()});
  const auto port = server.port();

  for (const char* page : {"/", "/portal", "/reports"}) {
    CAPTURE(page);
    auto reply = http_request(port, "GET", page);
    CHECK(reply.status == 200);
    CHECK(reply.body == "<!doctype html><title>app</title>");
    CHECK(reply.header("content-type") == "text/html; charset=utf-8");
    CHECK(reply.header("cache-control") == "no-cache");
    CHECK(reply.header("content-security-policy").find("default-src 'self'") != std::string::npos);
  }
  auto script = http_request(port, "GET", "/assets/index-abc123.js");
  CHECK(script.status == 200);
  CHECK(script.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(script.header("cache-control") == "public, max-age=31536000, immutable");
  CHECK(http_request(port, "HEAD", "/assets/index-abc123.js").status == 200);

  CHECK(http_request(port, "GET", "/assets/gone-999.js").status == 404);  // an old build's file: no page instead
  CHECK(http_request(port, "GET", "/favicon.png").status == 404);
  CHECK(http_request(port, "GET", "/%2e%2e/secret.txt").status == 404);  // outside the web root
  CHECK(http_request(port, "GET", "/assets/..%2f..%2fsecret.txt").status == 404);
  auto api = http_request(port, "GET", "/api/v1/no-such-thing");
  CHECK(api.status == 404);
  CHECK(api.json().at("error").at("code").as_string() == "not_found");
  CHECK(http_request(port, "POST", "/portal", "{}", {{"Content-Type", "application/json"}}).status == 404);
  CHECK(http_request(port, "GET", "/healthz").status == 200);  // routes still win
}

TEST_CASE("a precompressed copy is served to a browser that accepts it, the file itself to any other") {
  OrgFixture org;
  ScratchDir web("web-root-compressed");
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.path() / "index.html") << "<!doctype html><title>app</title>";
  std::ofstream(web.path() / "assets" / "app-1.js") << "plain";
  std::ofstream(web.path() / "assets" / "app-1.js.gz") << "gzip bytes";
  std::ofstream(web.path() / "assets" / "app-1.js.br") << "brotli bytes";
  std::ofstream(web.path() / "assets" / "only-gzip.css") << "plain css";
  std::ofstream(web.path() / "assets" / "only-gzip.css.gz") << "gzip css";
  TestServer server(org, {"--web-root", web.path().string()});
  const auto port = server.port();
  auto fetch = [&](const std::string& path, const std::string& accept) {
    return accept.empty() ? http_request(port, "GET", path)
                          : http_request(port, "GET", path, "", {{"Accept-Encoding", accept}});
  };
  struct Case {
    const char* path;
    const char* accept;
    const char* body;
    const char* encoding;
  };
  for (const auto& c : std::vector<Case>{{"/assets/app-1.js", "", "plain", ""},
                                         {"/assets/app-1.js", "gzip, deflate", "gzip bytes", "gzip"},
                                         {"/assets/app-1.js", "gzip, deflate, br", "brotli bytes", "br"},
                                         {"/assets/app-1.js", "BR;q=0.5, gzip", "brotli bytes", "br"},
                                         {"/assets/app-1.js", "br;q=0, gzip", "gzip bytes", "gzip"},
                                         {"/assets/app-1.js", "br;q=0.0, gzip;q=0", "plain", ""},
                                         {"/assets/app-1.js", "*", "brotli bytes", "br"},
                                         {"/assets/app-1.js", "identity", "plain", ""},
                                         {"/assets/only-gzip.css", "br, gzip", "gzip css", "gzip"},
                                         {"/assets/only-gzip.css", "br", "plain css", ""}}) {
    CAPTURE(c.path, c.accept);
    auto reply = fetch(c.path, c.accept);
    CHECK(reply.status == 200);
    CHECK(reply.body == c.body);
    CHECK(reply.header("content-encoding") == c.encoding);
    CHECK(reply.header("vary") == "Accept-Encoding");
    CHECK(reply.header("content-type")
              .starts_with(std::string(c.path).ends_with(".js") ? "text/javascript" : "text/css"));
  }
  CHECK(fetch("/assets/app-1.js.gz", "").status == 200);  // the copies are files like any other
}
