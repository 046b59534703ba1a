#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr const char* demo_password = "12385-demo";

struct DemoServer {
  explicit DemoServer(std::vector<std::string> extra = {}) : process(args(db, std::move(extra))) {}
  static std::vector<std::string> args(const TestDatabase& db, std::vector<std::string> extra) {
    std::vector<std::string> all{"--database-url", db.url(), "--demo", "--demo-days", "0"};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  std::int64_t count(const std::string& sql) const { return pg::BlockingConnection(db.url()).exec(sql).integer(0, 0); }
  TestDatabase db;
  PetitiondProcess process;
};

std::chrono::steady_clock::duration time_of(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::steady_clock::now() - start;
}

}  // namespace

TEST_CASE("logging in sets a strict HttpOnly session cookie, logging out ends the session") {
  DemoServer server;
  auto reply = login(server.process.port(), "t01.handler", demo_password);
  REQUIRE(reply.status == 200);
  auto cookie = reply.header("set-cookie");
  CHECK_THAT(cookie, Contains("petitiond_session=") && Contains("HttpOnly") && Contains("SameSite=Strict") &&
                         Contains("Path=/") && !Contains("Secure"));
  CHECK(reply.json().at("user").at("login").as_string() == "t01.handler");
  CHECK(reply.json().at("user").at("phone").as_string() == "138****0007");

  Session session(server.process.port(), "t01.handler", demo_password);
  auto me = session.get("/api/v1/auth/session");
  CHECK(me.status == 200);
  CHECK(me.json().at("csrf_token").as_string() == session.csrf());
  CHECK(session.send("POST", "/api/v1/auth/logout").status == 204);
  CHECK(session.get("/api/v1/auth/session").status == 401);
  CHECK(http_request(server.process.port(), "GET", "/api/v1/units").status == 401);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'logout'") == 1);
}

TEST_CASE("a wrong password and an unknown login get the same answer in about the same time") {
  DemoServer server;
  const auto port = server.process.port();
  HttpReply wrong, unknown;
  // The quickest of three tries each way, alternating: a busy machine only ever adds time.
  auto wrong_time = std::chrono::steady_clock::duration::max(), unknown_time = wrong_time;
  for (int i = 0; i < 3; ++i) {
    wrong_time = std::min(wrong_time, time_of([&] { wrong = login(port, "t01.handler", "not-the-password"); }));
    unknown_time = std::min(
        unknown_time, time_of([&] { unknown = login(port, "no.such.user" + std::to_string(i), "not-the-password"); }));
  }
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(wrong.json().at("error").at("message") == unknown.json().at("error").at("message"));
  // Both verify an Argon2id hash: neither answers in a fraction of the other's time.
  CHECK(unknown_time * 3 > wrong_time);
  CHECK(wrong_time * 3 > unknown_time);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'login.failed'") == 6);
}

// A log-in from another loopback address, as a client elsewhere would: the reply's status.
int login_status_from(unsigned short port, const std::string& source, const std::string& login,
                      const std::string& password) {
  RawConnection connection(port, source);
  const std::string body = R"({"login":")" + login + R"(","password":")" + password + R"("})";
  connection.send("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  auto reply = connection.read_until_closed(10s);
  return reply.size() > 12 ? std::stoi(reply.substr(9, 3)) : 0;
}

TEST_CASE("repeated failures stop guessing from that address, without locking the owner out elsewhere") {
  DemoServer server;
  const auto port = server.process.port();
  for (int i = 0; i < 5; ++i) CHECK(login(port, "v0101.handler", "guess-" + std::to_string(i)).status == 401);
  auto locked = login(port, "v0101.handler", demo_password);
  CHECK(locked.status == 429);
  CHECK(locked.json().at("error").at("code").as_string() == "rate_limited");
  CHECK(locked.header("retry-after") == "900");
  CHECK(login(port, "no.such.user.either", "x").status == 401);  // other accounts are unaffected
  CHECK(login(port, "t02.handler", demo_password).status == 200);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'login.throttled'") == 1);
  // The owner, at their own desk, logs in: a stranger's guesses are no lock-out button.
  CHECK(login_status_from(port, "127.0.0.2", "v0101.handler", demo_password) == 200);
}

TEST_CASE("concurrent guesses are counted before they are verified: 40 at once get 5 verifications") {
  DemoServer server;
  const auto port = server.process.port();
  std::vector<std::future<int>> guesses;
  for (int i = 0; i < 40; ++i)
    guesses.push_back(std::async(std::launch::async, [port, i] {
      return login(port, "t01.handler", "concurrent-guess-" + std::to_string(i)).status;
    }));
  int refused = 0, verified = 0;
  for (auto& guess : guesses) {
    const int status = guess.get();
    if (status == 429) ++refused;
    if (status == 401) ++verified;
  }
  CHECK(verified == 5);
  CHECK(refused == 35);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'login.failed'") == 5);
}

TEST_CASE("the account's ceiling holds guesses from many addresses, but not its owner's own") {
  DemoServer server;
  const auto port = server.process.port();
  CHECK(login_status_from(port, "127.0.0.9", "t02.handler", demo_password) == 200);  // the owner's desk
  // Five wrong guesses from each of six other addresses: 30, the ceiling for unknown addresses.
  for (int address = 10; address < 16; ++address)
    for (int i = 0; i < 5; ++i)
      CHECK(login_status_from(port, "127.0.0." + std::to_string(address), "t02.handler",
                              "wrong-" + std::to_string(i)) == 401);
  CHECK(login_status_from(port, "127.0.0.16", "t02.handler", demo_password) == 429);
  CHECK(login_status_from(port, "127.0.0.9", "t02.handler", demo_password) == 200);
}

TEST_CASE("guesses at the current password when changing it are limited too") {
  DemoServer server;
  const auto port = server.process.port();
  Session user(port, "t01.handler", demo_password);
  for (int i = 0; i < 5; ++i) {
    auto wrong =
        user.send("POST", "/api/v1/auth/password",
                  R"({"current_password":"guess-)" + std::to_string(i) + R"(","new_password":"a-new-password-42"})");
    CHECK(wrong.status == 422);
  }
  auto right =
      user.send("POST", "/api/v1/auth/password",
                R"({"current_password":")" + std::string(demo_password) + R"(","new_password":"a-new-password-42"})");
  CHECK(right.status == 429);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'password_change.throttled'") == 1);
}

TEST_CASE("cookie-authenticated writes need the CSRF token, and a refusal is audited") {
  DemoServer server;
  Session admin(server.process.port(), "admin", demo_password);
  auto refused = admin.send("PATCH", "/api/v1/units/QS-T01", R"({"name":"改名镇"})", false);
  CHECK(refused.status == 403);
  CHECK_THAT(refused.json().at("error").at("message").as_string().c_str(), Contains("CSRF"));
  auto done = admin.send("PATCH", "/api/v1/units/QS-T01", R"({"name":"改名镇"})");
  CHECK(done.status == 200);
  CHECK(done.json().at("name").as_string() == "改名镇");
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'permission.denied'") == 1);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'unit.updated' AND target_id = 'QS-T01'") == 1);
}

TEST_CASE("API tokens are shown once, work within their scope, and stop working when revoked") {
  DemoServer server;
  const auto port = server.process.port();
  Session admin(port, "admin", demo_password);
  auto hotline = admin.get("/api/v1/users?role=operator").json().at("users").at(0).at("id").as_int64();
  auto created =
      admin.send("POST", "/api/v1/tokens",
                 R"({"name":"phone system","user_id":)" + std::to_string(hotline) + R"(,"scopes":["read"]})");
  REQUIRE(created.status == 201);
  std::string secret(created.json().at("token").as_string());
  auto id = created.json().at("id").as_int64();
  auto bearer = std::map<std::string, std::string>{{"Authorization", "Bearer " + secret}};

  CHECK(http_request(port, "GET", "/api/v1/auth/session", "", bearer).status == 200);
  CHECK(http_request(port, "GET", "/api/v1/units/QS", "", bearer).status == 200);
  auto write = http_request(port, "POST", "/api/v1/auth/password", "{}",
                            {{"Authorization", "Bearer " + secret}, {"Content-Type", "application/json"}});
  CHECK(write.status == 403);                                                 // read scope only
  CHECK(admin.get("/api/v1/tokens").body.find(secret) == std::string::npos);  // never shown again
  CHECK(server.count("SELECT count(*) FROM api_tokens WHERE token_hash::text LIKE '%" + secret + "%'") == 0);

  CHECK(admin.send("DELETE", "/api/v1/tokens/" + std::to_string(id)).status == 204);
  CHECK(http_request(port, "GET", "/api/v1/auth/session", "", bearer).status == 401);
  CHECK(http_request(port, "GET", "/api/v1/auth/session", "", {{"Authorization", "Bearer made-up"}}).status == 401);
}

TEST_CASE("a session ends after the idle timeout") {
  DemoServer server({"--session-idle-timeout", "1"});
  Session session(server.process.port(), "hotline1", demo_password);
  CHECK(session.get("/api/v1/auth/session").status == 200);
  std::this_thread::sleep_for(1500ms);
  CHECK(session.get("/api/v1/auth/session").status == 401);
}

TEST_CASE("changing one's password ends every session of the account") {
  DemoServer server;
  const auto port = server.process.port();
  Session first(port, "proxy1", demo_password), second(port, "proxy1", demo_password);
  auto bad =
      first.send("POST", "/api/v1/auth/password", R"({"current_password":"wrong","new_password":"new-password-1"})");
  CHECK(bad.status == 422);
  CHECK(bad.json().at("error").at("field").as_string() == "current_password");
  auto weak =
      first.send("POST", "/api/v1/auth/password", R"({"current_password":"12385-demo","new_password":"short"})");
  CHECK(weak.json().at("error").at("field").as_string() == "new_password");
  CHECK(
      first
          .send("POST", "/api/v1/auth/password", R"({"current_password":"12385-demo","new_password":"new-password-1"})")
          .status == 204);
  CHECK(second.get("/api/v1/auth/session").status == 401);
  CHECK(login(port, "proxy1", demo_password).status == 401);
  CHECK(login(port, "proxy1", "new-password-1").status == 200);
}

TEST_CASE("phones are masked everywhere, unmasking needs a reason, a permitted role and jurisdiction, and is audited") {
  DemoServer server;
  const auto port = server.process.port();
  Session manager(port, "t01.manager", demo_password);
  auto users = manager.get("/api/v1/users");
  CHECK(users.status == 200);
  CHECK(users.body.find("13800000009") == std::string::npos);
  CHECK_THAT(users.body, Contains("138****0009"));
  auto v0101 = manager.get("/api/v1/users?unit=QS-T01-V01&role=handler").json().at("users").at(0).at("id").as_int64();
  auto path = "/api/v1/users/" + std::to_string(v0101) + "/unmask";

  auto no_reason = manager.send("POST", path, R"({"field":"phone"})");
  CHECK(no_reason.status == 422);
  CHECK(no_reason.json().at("error").at("field").as_string() == "reason");
  auto shown = manager.send("POST", path, R"({"field":"phone","reason":"回访核实联系方式"})");
  CHECK(shown.status == 200);
  CHECK(shown.json().at("phone").as_string() == "13800000009");
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action = 'personal_data.unmasked'"
                     " AND details->>'reason' = '回访核实联系方式' AND actor_login = 't01.manager'") == 1);

  Session handler(port, "t02.handler", demo_password);
  CHECK(handler.send("POST", path, R"({"field":"phone","reason":"just curious"})").status == 403);  // role
  Session elsewhere(port, "district.manager", demo_password);
  auto t02 = elsewhere.get("/api/v1/users?unit=QS-T02").json().at("users").at(0).at("id").as_int64();
  CHECK(manager
            .send("POST", "/api/v1/users/" + std::to_string(t02) + "/unmask",
                  R"({"field":"phone","reason":"not my town"})")
            .status == 404);  // jurisdiction
}

TEST_CASE("admins read the audit log with filters, newest first, in pages") {
  DemoServer server;
  const auto port = server.process.port();
  for (int i = 0; i < 3; ++i) login(port, "mz.handler", "wrong-" + std::to_string(i));
  Session admin(port, "admin", demo_password);
  auto failed = admin.get("/api/v1/audit?action=login.failed&limit=2");
  REQUIRE(failed.status == 200);
  auto events = failed.json().at("events").as_array();
  REQUIRE(events.size() == 2);
  CHECK(events[0].at("id").as_int64() > events[1].at("id").as_int64());
  CHECK(events[0].at("actor").at("login").as_string() == "mz.handler");
  auto next = failed.json().at("next_before").as_int64();
  auto rest =
      admin.get("/api/v1/audit?action=login.failed&before=" + std::to_string(next)).json().at("events").as_array();
  CHECK(rest.size() == 1);
  CHECK(admin.get("/api/v1/audit?action=login.").json().at("events").as_array().size() == 4);  // prefix: + success
  CHECK(admin.get("/api/v1/audit?since=yesterday").status == 422);
  CHECK(admin.get("/api/v1/audit?since=2026-01-01").status == 200);
  Session manager(port, "district.manager", demo_password);
  CHECK(manager.get("/api/v1/audit").status == 403);
}

TEST_CASE("with a certificate the server speaks HTTPS and marks the cookie Secure") {
  ScratchDir dir;
  auto cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
  auto command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key + " -out " +
                 cert + " >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  TestDatabase db;
  auto port = free_port();
  auto listen = "127.0.0.1:" + std::to_string(port);
  // PetitiondProcess probes plain HTTP, so this one is started by hand and probed over TLS.
  auto result = std::async(std::launch::async, [&] {
    return run_petitiond({"--database-url", db.url(), "--demo", "--demo-days", "0", "--listen", listen, "--tls-cert",
                          cert, "--tls-key", key},
                         {}, std::chrono::seconds(20));
  });
  HttpReply health;
  for (int i = 0; i < 100 && health.status != 200; ++i) {
    try {
      health = https_request(port, "GET", "/healthz");
    } catch (const std::exception&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  CHECK(health.status == 200);
  boost::json::object body{{"login", "admin"}, {"password", demo_password}};
  auto reply = https_request(port, "POST", "/api/v1/auth/login", boost::json::serialize(body),
                             {{"Content-Type", "application/json"}});
  CHECK(reply.status == 200);
  CHECK_THAT(reply.header("set-cookie"), Contains("; Secure"));
  CHECK_THAT(reply.header("strict-transport-security"), Contains("max-age=31536000"));
  CHECK_THAT(health.header("strict-transport-security"), Contains("max-age="));
  CHECK_THROWS(http_request(port, "GET", "/healthz"));  // plain HTTP is not spoken there
  std::system(("pkill -TERM -f 'listen " + listen + "'").c_str());
  CHECK(result.get().exit_code == 0);
}

TEST_CASE("a user sees their own sessions, with where and in what they were opened, and ends one or all the others") {
  DemoServer server;
  const auto port = server.process.port();
  // A log-in from a browser that names itself.
  auto browser =
      http_request(port, "POST", "/api/v1/auth/login", R"({"login":"proxy1","password":"12385-demo"})",
                   {{"Content-Type", "application/json"}, {"User-Agent", "Mozilla/5.0 (X11; Linux) Chrome/131"}});
  REQUIRE(browser.status == 200);
  const auto cookie = browser.header("set-cookie").substr(0, browser.header("set-cookie").find(';'));
  Session first(port, "proxy1", demo_password), second(port, "proxy1", demo_password);
  Session stranger(port, "hotline1", demo_password);

  auto listed = first.get("/api/v1/me/sessions");
  REQUIRE(listed.status == 200);
  auto sessions = listed.json().at("sessions").as_array();
  CHECK(sessions.size() == 3);
  int current = 0;
  std::string browser_id;
  for (const auto& s : sessions) {
    CHECK(s.at("id").as_string().size() == 16);
    CHECK(s.at("address").as_string() == "127.0.0.1");
    if (s.at("current").as_bool()) ++current;
    if (s.at("user_agent").is_string() && s.at("user_agent").as_string() == "Mozilla/5.0 (X11; Linux) Chrome/131")
      browser_id = std::string(s.at("id").as_string());
  }
  CHECK(current == 1);
  REQUIRE_FALSE(browser_id.empty());
  CHECK(listed.body.find(cookie.substr(cookie.find('=') + 1)) == std::string::npos);  // never the token

  // Another user cannot end them; a malformed or unknown id is simply not found.
  CHECK(stranger.send("DELETE", "/api/v1/me/sessions/" + browser_id, "").status == 404);
  CHECK(first.send("DELETE", "/api/v1/me/sessions/not-a-session", "").status == 404);
  CHECK(first.send("DELETE", "/api/v1/me/sessions/0000000000000000", "").status == 404);
  CHECK(http_request(port, "GET", "/api/v1/auth/session", "", {{"Cookie", cookie}}).status == 200);

  CHECK(first.send("DELETE", "/api/v1/me/sessions/" + browser_id, "").status == 204);
  CHECK(http_request(port, "GET", "/api/v1/auth/session", "", {{"Cookie", cookie}}).status == 401);
  CHECK(first.send("DELETE", "/api/v1/me/sessions/" + browser_id, "").status == 404);  // already ended
  CHECK(first.send("DELETE", "/api/v1/me/sessions", "").status == 204);
  CHECK(second.get("/api/v1/auth/session").status == 401);
  CHECK(first.get("/api/v1/auth/session").status == 200);  // the one asking stays
  CHECK(stranger.get("/api/v1/auth/session").status == 200);
  CHECK(first.get("/api/v1/me/sessions").json().at("sessions").as_array().size() == 1);
  CHECK(server.count("SELECT count(*) FROM audit_log WHERE action IN ('session.ended', 'session.ended_others')") == 2);
}
