// An open event stream lasts only as long as the right to it: after log-out, when the account is
// disabled, when the operator role is taken away and when the API token is revoked, no caller's history
// reaches it any more.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"
#include "server/pg/blocking_connection.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;

namespace {

class Ringer {
 public:
  explicit Ringer(unsigned short port) : port_(port) {}
  void ring() {
    auto id = "ring-" + std::to_string(++calls_);
    auto reply = http_request(
        port_, "POST", "/api/v1/cti/cti-secret",
        R"({"event":"newCall","direction":"in","callId":")" + id + R"(","from":"13912340077","to":"12385"})",
        {{"Content-Type", "application/json"}});
    REQUIRE(reply.status == 200);
    // The hangup goes to every operator's screen (a ringing call only to those it is offered to): a stream
    // whose right is gone hears nothing and ends.
    reply = http_request(port_, "POST", "/api/v1/cti/cti-secret",
                         R"({"event":"hangup","direction":"in","callId":")" + id + R"(","cause":"cancel"})",
                         {{"Content-Type", "application/json"}});
    REQUIRE(reply.status == 200);
  }

 private:
  unsigned short port_;
  int calls_ = 0;
};

// An operator's event stream, open and connected.
std::unique_ptr<RawConnection> open_stream(unsigned short port, const std::string& credential_header) {
  auto stream = std::make_unique<RawConnection>(port);
  stream->send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\n" + credential_header + "\r\n\r\n");
  REQUIRE(stream->read_until(": connected", 5s).find("text/event-stream") != std::string::npos);
  return stream;
}

// How many ringing calls a stream has delivered so far (a RawConnection returns all it has read).
std::size_t calls_in(const std::string& received) {
  std::size_t n = 0;
  for (auto at = received.find("event: call\n"); at != std::string::npos; at = received.find("event: call\n", at + 1))
    ++n;
  return n;
}

// A new operator at the district; their user id.
std::int64_t create_operator(Session& admin, const std::string& login) {
  auto created = admin.send("POST", "/api/v1/users",
                            R"({"login":")" + login +
                                R"(","display_name":"接线员","unit":"D","roles":["operator"],)"
                                R"("password":"operator-password-1"})");
  REQUIRE(created.status == 201);
  return created.json().at("id").to_number<std::int64_t>();
}

}  // namespace

TEST_CASE("an event stream ends with the right to receive it") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection(org.db.url())
      .exec(R"(INSERT INTO settings (key, value) VALUES ('cti.token', '"cti-secret"'))");
  TestServer server(org);
  const auto port = server.port();
  Ringer phone(port);
  Session admin(port, "admin", fixture_password);

  SECTION("log-out") {
    create_operator(admin, "op.logout");
    Session op(port, "op.logout", "operator-password-1");
    auto stream = open_stream(port, "Cookie: " + op.cookie());
    phone.ring();
    CHECK(calls_in(stream->read_until("event: call", 5s)) == 1);
    REQUIRE(op.send("POST", "/api/v1/auth/logout").status == 204);
    phone.ring();
    CHECK(calls_in(stream->read_until_closed(3s)) == 1);
    CHECK(stream->closed_within(2s));
  }
  SECTION("the account disabled") {
    const auto id = create_operator(admin, "op.disabled");
    Session op(port, "op.disabled", "operator-password-1");
    auto stream = open_stream(port, "Cookie: " + op.cookie());
    REQUIRE(admin.send("PATCH", "/api/v1/users/" + std::to_string(id), R"({"active":false})").status == 200);
    phone.ring();
    CHECK(calls_in(stream->read_until_closed(3s)) == 0);
    CHECK(stream->closed_within(1s));
  }
  SECTION("the operator role taken away") {
    const auto id = create_operator(admin, "op.demoted");
    Session op(port, "op.demoted", "operator-password-1");
    auto stream = open_stream(port, "Cookie: " + op.cookie());
    REQUIRE(admin.send("PATCH", "/api/v1/users/" + std::to_string(id), R"({"roles":["handler"]})").status == 200);
    phone.ring();
    CHECK(calls_in(stream->read_until("event: call", 2s)) == 0);
  }
  SECTION("the API token revoked") {
    const auto id = create_operator(admin, "op.token");
    auto created = admin.send("POST", "/api/v1/tokens",
                              R"({"name":"坐席软电话","user_id":)" + std::to_string(id) + R"(,"scopes":["read"]})");
    REQUIRE(created.status == 201);
    const auto token = std::string(created.json().at("token").as_string());
    const auto token_id = created.json().at("id").to_number<std::int64_t>();
    auto stream = open_stream(port, "Authorization: Bearer " + token);
    phone.ring();
    CHECK(calls_in(stream->read_until("event: call", 5s)) == 1);
    REQUIRE(admin.send("DELETE", "/api/v1/tokens/" + std::to_string(token_id)).status == 204);
    phone.ring();
    CHECK(calls_in(stream->read_until_closed(3s)) == 1);
    CHECK(stream->closed_within(1s));
  }
}
