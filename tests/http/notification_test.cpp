// Notifications: the outbox expanded to recipients and channels, sent through an SMS gateway and to
// webhooks that the test runs as real HTTP servers on loopback, retried with back-off while the gateway is
// down, parked as dead letters after too many failures, and resent by an admin.
#include <boost/json.hpp>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/auth/secrets.hpp"
#include "server/pg/blocking_connection.hpp"
#include "tests/support/db_helpers.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/stand_ins.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::int64_t file_petition(unsigned short port, const std::string& phone) {
  Session op(port, "operator", fixture_password);
  auto filed =
      op.send("POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"other","subject":"轮椅维修","content":"轮椅坏了。",)"
              R"("petitioner":{"name":"孙八","phone":")" +
                  phone + R"("}})");
  REQUIRE(filed.status == 201);
  return filed.json().at("id").to_number<std::int64_t>();
}

void use_gateway(pg::BlockingConnection& db, const StandIn& gateway) {
  set_setting(db, "sms.gateway", {{"url", gateway.url("/sms")}, {"token", "gateway-token"}});
}

}  // namespace

TEST_CASE("a petitioner's SMS waits out a gateway that is down and is delivered once it is back") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn gateway;
  gateway.answer(503);
  pg::BlockingConnection db(org.db.url());
  use_gateway(db, gateway);
  TestServer server(org, {"--notify-interval", "100"});
  const auto id = file_petition(server.port(), "13912345678");
  const auto delivery =
      "SELECT %s FROM notification_deliveries WHERE channel = 'sms' AND recipient LIKE 'petitioner:%'";
  auto column = [&](const std::string& what) {
    auto sql = std::string(delivery);
    sql.replace(sql.find("%s"), 2, what);
    return sql;
  };
  REQUIRE(eventually(
      [&] { return count(db, column("count(*) FILTER (WHERE attempts >= 1 AND last_error IS NOT NULL)")) == 1; }));
  // Backed off: the next attempt is at least half of 30 s away.
  CHECK(count(db, column("extract(epoch FROM next_attempt_at - now())::int")) >= 14);
  CHECK(db.exec(column("last_error")).text(0, 0) == "SMS gateway answered 503");
  CHECK(gateway.received().empty());

  gateway.answer(200);
  db.exec("UPDATE notification_deliveries SET next_attempt_at = now()");  // the back-off has run out
  REQUIRE(eventually([&] { return count(db, column("count(*) FILTER (WHERE state = 'sent')")) == 1; }));
  std::this_thread::sleep_for(500ms);
  auto requests = gateway.received();
  REQUIRE(requests.size() == 1);
  auto body = json::parse(std::string(requests[0].at("body").as_string())).as_object();
  CHECK(body.at("to").as_string() == "+8613912345678");  // E.164
  CHECK(std::string(body.at("text").as_string()).find("已登记") != std::string::npos);
  auto tracking = db.exec("SELECT tracking_code FROM petitions WHERE id = " + std::to_string(id));
  CHECK(std::string(body.at("text").as_string()).find(std::string(tracking.text(0, 0))) != std::string::npos);
  const auto& headers = requests[0].at("headers").as_object();
  CHECK(headers.at("Authorization").as_string() == "Bearer gateway-token");
  CHECK(headers.at("Idempotency-Key").as_string() == body.at("id").as_string());
  CHECK(count(db, column("attempts")) == 2);
}

TEST_CASE("after too many failures a delivery is a dead letter that an admin lists and resends") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn gateway;
  gateway.answer(500);
  pg::BlockingConnection db(org.db.url());
  use_gateway(db, gateway);
  TestServer server(org, {"--notify-interval", "100"});
  file_petition(server.port(), "13912345679");
  // The first failure recorded (not merely claimed), then seven more as if the days had passed.
  REQUIRE(eventually([&] {
    return count(db, "SELECT count(*) FROM notification_deliveries WHERE last_error IS NOT NULL AND channel = 'sms'") ==
           1;
  }));
  db.exec("UPDATE notification_deliveries SET attempts = 7, next_attempt_at = now() WHERE channel = 'sms'");
  REQUIRE(
      eventually([&] { return count(db, "SELECT count(*) FROM notification_deliveries WHERE state = 'dead'") == 1; }));

  Session admin(server.port(), "admin", fixture_password);
  auto listed = admin.get("/api/v1/notifications/dead-letters").json();
  const auto& letters = listed.at("dead_letters").as_array();
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].at("attempts").to_number<int>() == 8);
  CHECK(letters[0].at("address").as_string() == "139****5679");
  CHECK(letters[0].at("last_error").as_string() == "SMS gateway answered 500");
  const auto id = letters[0].at("id").to_number<std::int64_t>();
  Session manager(server.port(), "district.manager", fixture_password);
  CHECK(manager.get("/api/v1/notifications/dead-letters").status == 403);

  gateway.answer(200);
  auto resent = admin.send("POST", "/api/v1/notifications/dead-letters/" + std::to_string(id) + "/resend", "{}");
  CHECK(resent.status == 202);
  CHECK(admin.send("POST", "/api/v1/notifications/dead-letters/" + std::to_string(id) + "/resend", "{}").status == 404);
  REQUIRE(eventually([&] { return gateway.received().size() == 1; }));
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action = 'notification.resent'") == 1);
}

TEST_CASE("webhooks receive every message, signed with HMAC-SHA256 over the timestamp and the body") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn receiver;
  pg::BlockingConnection db(org.db.url());
  const std::string secret = "a-webhook-secret-of-some-length";
  db.exec("INSERT INTO webhooks (name, url, secret, topics) VALUES ('城市热线平台', $1, $2, '{registered}')",
          {receiver.url("/hook"), secret});
  // The receiver is on this machine: allowed for this intranet-like set-up only.
  TestServer server(org, {"--notify-interval", "100", "--webhooks-allow-private"});
  const auto id = file_petition(server.port(), "13912345670");
  REQUIRE(eventually([&] { return receiver.received().size() == 1; }));
  const auto request = receiver.received()[0];
  const auto& headers = request.at("headers").as_object();
  const std::string body(request.at("body").as_string());
  const std::string timestamp(headers.at("X-Petitiond-Timestamp").as_string());
  CHECK(headers.at("X-Petitiond-Signature").as_string() ==
        "sha256=" + auth::hmac_sha256_hex(secret, timestamp + "." + body));
  CHECK(headers.at("X-Petitiond-Signature").as_string() !=
        "sha256=" + auth::hmac_sha256_hex("another-secret-entirely", timestamp + "." + body));
  auto message = json::parse(body).as_object();
  CHECK(message.at("topic").as_string() == "registered");
  CHECK(message.at("data").at("petition_id").to_number<std::int64_t>() == id);
  CHECK(message.at("id").as_string() == headers.at("X-Petitiond-Delivery").as_string());
  // Only the subscribed topic: accepting the petition sends nothing more.
  Session op(server.port(), "operator", fixture_password);
  REQUIRE(op.send("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/accept", R"({"version":1})").status ==
          200);
  std::this_thread::sleep_for(800ms);
  CHECK(receiver.received().size() == 1);
}

TEST_CASE("webhooks never post to this machine or private networks unless the administrator allows it") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn receiver;
  pg::BlockingConnection db(org.db.url());
  TestServer server(org, {"--notify-interval", "100"});
  Session admin(server.port(), "admin", fixture_password);
  for (const char* url :
       {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://10.1.2.3/hook",
        "http://192.168.1.10/hook", "http://172.20.0.1/hook", "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook"}) {
    CAPTURE(url);
    auto refused = admin.send("POST", "/api/v1/webhooks", R"({"name":"内网","url":")" + std::string(url) + R"("})");
    CHECK(refused.status == 422);
    CHECK(refused.json().at("error").at("field").as_string() == "url");
  }
  CHECK(admin.send("POST", "/api/v1/webhooks", R"({"name":"市热线","url":"https://hotline.example.cn/hook"})").status ==
        201);
  // A name that resolves to this machine is refused when the delivery connects, not posted to.
  db.exec(
      "INSERT INTO webhooks (name, url, secret, topics) VALUES ('改名的内网', $1, 'a-webhook-secret-of-some-length',"
      " '{registered}')",
      {"http://localhost:" + receiver.url("/hook").substr(receiver.url("").rfind(':') + 1)});
  file_petition(server.port(), "13912345674");
  REQUIRE(eventually([&] {
    return count(db,
                 "SELECT count(*) FROM notification_deliveries WHERE channel = 'webhook' AND last_error LIKE"
                 " '%private network%'") == 1;
  }));
  CHECK(receiver.received().empty());
}

TEST_CASE("a message about a complaint never reaches the unit complained about") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  TestServer server(org, {"--notify-interval", "100"});
  Session op(server.port(), "operator", fixture_password);
  // A complaint about town T1: messages to the handling unit's handlers and managers and to its parent's
  // (had it reached village V1, under T1) name nobody in T1 or under it.
  auto filed = op.send(
      "POST", "/api/v1/petitions",
      R"({"channel":"hotline","type":"complaint","category":"other","subject":"投诉镇政府","content":"镇里不作为。",)"
      R"("petitioner":{"name":"周九","phone":"13912345671"},"complaint":{"object":"镇政府","units":["T1"]}})");
  REQUIRE(filed.status == 201);
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  // Every audience that could name T1's staff, written as the workflow would.
  db.exec("UPDATE petitions SET responsible_unit_id = (SELECT id FROM units WHERE code = 'V1') WHERE id = " +
          std::to_string(id));
  db.exec("INSERT INTO outbox (petition_id, audience, topic) SELECT " + std::to_string(id) +
          ", a, 'escalation' FROM unnest(ARRAY['handlers', 'parent_handlers', 'parent_managers', 'managers']) a");
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 0; }));
  auto reached = db.exec(
      "SELECT coalesce(string_agg(DISTINCT u.login, ','), '') FROM notification_deliveries d"
      " JOIN users u ON u.id = d.user_id WHERE d.outbox_id IN (SELECT id FROM outbox WHERE petition_id = " +
      std::to_string(id) + ")");
  CAPTURE(reached.text(0, 0));
  CHECK(std::string(reached.text(0, 0)).find("t1.") == std::string::npos);
  CHECK(std::string(reached.text(0, 0)).find("v1.handler") == std::string::npos);  // V1 lies under T1

  // The same messages about a petition without a complaint reach them.
  const auto plain = file_petition(server.port(), "13912345672");
  db.exec("UPDATE petitions SET responsible_unit_id = (SELECT id FROM units WHERE code = 'V1') WHERE id = " +
          std::to_string(plain));
  db.exec("INSERT INTO outbox (petition_id, audience, topic) SELECT " + std::to_string(plain) +
          ", a, 'escalation' FROM unnest(ARRAY['handlers', 'parent_handlers', 'parent_managers', 'managers']) a");
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 0; }));
  auto control = db.exec(
      "SELECT string_agg(DISTINCT u.login, ',' ORDER BY u.login) FROM notification_deliveries d"
      " JOIN users u ON u.id = d.user_id WHERE d.outbox_id IN (SELECT id FROM outbox WHERE petition_id = " +
      std::to_string(plain) + ")");
  CHECK(control.text(0, 0) == "t1.handler,t1.manager,v1.handler");
}

TEST_CASE("a handler's open web app hears of a new order at once, from whichever process sent it") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  TestServer web(org, {"--notify-interval", "0"});       // the handler's browser is connected here
  TestServer sender(org, {"--notify-interval", "100"});  // this one delivers
  Session handler(web.port(), "v1.handler", fixture_password);
  RawConnection stream(web.port());
  stream.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + handler.cookie() + "\r\n\r\n");
  REQUIRE(stream.read_until(": connected", 5s).find("text/event-stream") != std::string::npos);

  const auto id = file_petition(sender.port(), "13912345673");
  Session op(sender.port(), "operator", fixture_password);
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  REQUIRE(op.send("POST", actions + "accept", R"({"version":1})").status == 200);
  REQUIRE(op.send("POST", actions + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);
  auto pushed = stream.read_until("event: notification", 10s);
  pushed += stream.read_until("\n\n", 5s);
  CAPTURE(pushed);
  CHECK(pushed.find("event: notification") != std::string::npos);
  CHECK(pushed.find("\"topic\":\"dispatch\"") != std::string::npos);
  CHECK(pushed.find("新工单") != std::string::npos);
  // Messages to handling units carry the petitioner masked, never the name or the number.
  CHECK(pushed.find("孙*") != std::string::npos);
  CHECK(pushed.find("孙八") == std::string::npos);
  CHECK(pushed.find("13912345673") == std::string::npos);
  pg::BlockingConnection db(org.db.url());
  CHECK(
      count(db,
            "SELECT count(*) FROM notification_deliveries WHERE channel = 'in_app' AND state = 'sent' AND user_id = " +
                std::to_string(org.user_ids.at("v1.handler"))) == 1);
}

namespace {

// CPU seconds a process has used (user and system), from /proc.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

TEST_CASE("deliveries for a channel nobody set up wait unattempted, and an idle server with 10,000 of them rests") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  db.exec("INSERT INTO outbox (audience, topic, state) VALUES ('petitioner', 'registered', 'expanded')");
  db.exec(
      "INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, topic, payload)"
      " SELECT (SELECT max(id) FROM outbox), 'petitioner:' || n, 'sms', '139' || lpad(n::text, 8, '0'), 'registered',"
      " '{\"tracking_code\":\"20261202-TEST\"}' FROM generate_series(1, 10000) n");
  PetitiondProcess server({"--database-url", org.db.url()});
  std::this_thread::sleep_for(1500ms);  // start-up done, a few passes made
  const double before = cpu_seconds(server.pid());
  std::this_thread::sleep_for(5s);
  const double used = cpu_seconds(server.pid()) - before;
  CAPTURE(used);
  CHECK(used < 0.1);  // under 2 % of one core
  CHECK(count(db, "SELECT count(*) FROM notification_deliveries WHERE attempts > 0") == 0);

  // Once an admin sets up the gateway, they go out.
  StandIn gateway;
  set_setting(db, "sms.gateway", {{"url", gateway.url("/sms")}});
  REQUIRE(eventually([&] { return gateway.received().size() > 0; }, 10s));
}
