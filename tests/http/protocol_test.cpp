#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// A server with small limits and short timeouts, shared by the tests in this file.
PetitiondProcess& server() {
  static TestDatabase db;
  static PetitiondProcess process({"--database-url", db.url(), "--body-limit", "4096", "--header-limit", "2048",
                                   "--read-timeout", "1", "--idle-timeout", "1"});
  return process;
}

std::string exchange(const std::string& raw) {
  RawConnection connection(server().port());
  connection.send(raw);
  return connection.read_until_closed(5s);
}

std::string json_body(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

}  // namespace

TEST_CASE("a body over the limit is refused with 413 before it is read") {
  auto response = exchange("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  CHECK_THAT(response, StartsWith("HTTP/1.1 413"));
  CHECK_THAT(json_body(response), Contains("\"code\":\"payload_too_large\""));
  CHECK_THAT(response, Contains("Connection: close"));
}

TEST_CASE("a chunked body that grows over the limit is refused with 413") {
  RawConnection connection(server().port());
  connection.send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk(1000, 'a');
  for (int i = 0; i < 6; ++i) connection.send("3e8\r\n" + chunk + "\r\n");
  auto response = connection.read_until_closed(5s);
  CHECK_THAT(response, StartsWith("HTTP/1.1 413"));
}

TEST_CASE("headers over the limit are refused with 431") {
  auto response = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n");
  CHECK_THAT(response, StartsWith("HTTP/1.1 431"));
  CHECK_THAT(json_body(response), Contains("\"code\":\"headers_too_large\""));
}

TEST_CASE("malformed requests get 400 with a JSON error and never crash the server") {
  auto raw = GENERATE(as<std::string>{}, "GARBAGE\r\n\r\n", "GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n",
                      "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                      std::string("GET /he\0lthz HTTP/1.1\r\n\r\n", 25));
  CAPTURE(raw);
  auto response = exchange(raw);
  CHECK_THAT(response, StartsWith("HTTP/1.1 400"));
  CHECK_THAT(json_body(response), Contains("\"code\":\"bad_request\""));
  CHECK(http_request(server().port(), "GET", "/healthz").status == 200);
}

TEST_CASE("a client that sends its request too slowly is cut off") {
  RawConnection connection(server().port());
  const auto started = std::chrono::steady_clock::now();
  connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // headers never finished
  // Dripping one byte at a time does not extend the deadline.
  for (int i = 0; i < 10 && connection.send("X"); ++i) std::this_thread::sleep_for(200ms);
  CHECK(connection.closed_within(3s));
  auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(elapsed < 3500ms);
  CHECK(elapsed >= 900ms);
}

TEST_CASE("an idle kept-alive connection is closed after the idle timeout") {
  RawConnection connection(server().port());
  connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_THAT(connection.read_until("\"ok\"}", 2s), StartsWith("HTTP/1.1 200"));
  const auto started = std::chrono::steady_clock::now();
  CHECK(connection.closed_within(4s));
  CHECK(std::chrono::steady_clock::now() - started >= 800ms);
}

TEST_CASE("keep-alive serves pipelined requests in order on one connection") {
  RawConnection connection(server().port());
  connection.send(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto all = connection.read_until_closed(5s);
  auto first = all.find("HTTP/1.1 200");
  auto second = all.find("HTTP/1.1 404");
  auto third = all.rfind("HTTP/1.1 200");
  CHECK(first != std::string::npos);
  CHECK(second > first);
  CHECK(third > second);
}

TEST_CASE("Expect: 100-continue is answered before the body is sent") {
  RawConnection connection(server().port());
  connection.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  CHECK_THAT(connection.read_until("\r\n\r\n", 2s), StartsWith("HTTP/1.1 100 Continue"));
  connection.send("hello");
  CHECK_THAT(connection.read_until("405", 2s), Contains("HTTP/1.1 405"));
}
