// Accusation material never reaches the accused (信访工作条例 Art 30, 46): a complaint about town T1 is
// walked through every path by which information leaves the server, as T1's own staff.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/db_helpers.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* complaint_phone = "13912340001";

std::string local_today() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + 8h);
  std::tm local{};
  gmtime_r(&t, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &local);
  return text;
}

}  // namespace

TEST_CASE("a complaint about a town reaches none of the town's staff, by any path") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  // The town runs the registration desk for what proxies file, and its manager reads the daily digest.
  db.exec(R"(INSERT INTO settings (key, value) VALUES ('portal.intake_unit', '"T1"'), ('cti.token', '"cti-secret"'))"
          " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  set_setting(db, "digest", {{"hour", 99}});
  TestServer server(org, {"--notify-interval", "100"});
  const auto port = server.port();
  Session admin(port, "admin", fixture_password);
  REQUIRE(admin
              .send("POST", "/api/v1/users",
                    R"({"login":"t1.operator","display_name":"镇接线员","unit":"T1","roles":["operator"],)"
                    R"("password":"t1-operator-password"})")
              .status == 201);
  Session t1_manager(port, "t1.manager", fixture_password);
  REQUIRE(t1_manager
              .send("PUT", "/api/v1/me/notification-preferences",
                    R"({"email":"t1.manager@qs.example.cn","channels":["in_app","email"]})")
              .status == 200);

  // A proxy files a complaint about T1, and an ordinary matter of the same petitioner for contrast.
  Session proxy(port, "proxy", fixture_password);
  auto file = [&](const std::string& extra) {
    auto reply = proxy.send("POST", "/api/v1/petitions",
                            R"({"channel":"letter","type":"complaint","category":"other","subject":"投诉镇政府不作为",)"
                            R"("content":"镇里对残疾人补贴申请不予理睬。","petitioner":{"name":"吴十一","phone":")" +
                                std::string(complaint_phone) + R"("},"consent":{"method":"written"})" + extra + "}");
    REQUIRE(reply.status == 201);
    return reply.json();
  };
  auto complaint = file(R"(,"complaint":{"object":"镇政府","units":["T1","T1"]})");
  const auto id = complaint.at("id").to_number<std::int64_t>();
  const auto tracking = std::string(complaint.at("tracking_code").as_string());
  auto plain_petition = file("");
  const auto plain = plain_petition.at("id").to_number<std::int64_t>();
  const auto plain_tracking = std::string(plain_petition.at("tracking_code").as_string());
  // Registered by the unit above the accused desk, so it is not counted, listed or told there either.
  CHECK(db.exec("SELECT u.code FROM petitions p JOIN units u ON u.id = p.intake_unit_id WHERE p.id = " +
                std::to_string(id))
            .text(0, 0) == std::string("D"));
  CHECK(db.exec("SELECT u.code FROM petitions p JOIN units u ON u.id = p.intake_unit_id WHERE p.id = " +
                std::to_string(plain))
            .text(0, 0) == std::string("T1"));

  // A call from the petitioner, with T1's operator listening on the event stream.
  Session t1_operator(port, "t1.operator", "t1-operator-password");
  RawConnection stream(port);
  stream.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + t1_operator.cookie() + "\r\n\r\n");
  REQUIRE(stream.read_until(": connected", 5s).find("text/event-stream") != std::string::npos);
  REQUIRE(http_request(port, "POST", "/api/v1/cti/cti-secret",
                       std::string(R"({"event":"newCall","direction":"in","callId":"acc-1","from":")") +
                           complaint_phone + R"(","to":"12385"})",
                       {{"Content-Type", "application/json"}})
              .status == 200);
  auto pushed = stream.read_until("event: call", 5s);
  pushed += stream.read_until("\n\n", 5s);
  CAPTURE(pushed);
  CHECK(pushed.find("event: call") != std::string::npos);
  CHECK(pushed.find(tracking) == std::string::npos);

  // A month passes: both matters' acceptance is overdue, and the daily digest goes out.
  server.clock().advance(24h * 30);
  set_setting(db, "digest", {{"hour", 0}});
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM outbox WHERE topic = 'daily_digest'") > 0; }, 15s));
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 0; }));

  const auto path = "/api/v1/petitions/" + std::to_string(id);
  const auto today = local_today();
  const auto period = "from=2020-01-01&to=" + today;
  // The reports are folded by the scheduler, a pass behind: T1's figures count the plain matter only.
  auto received_in_t1 = [&] {
    return t1_manager.get("/api/v1/reports/summary?" + period)
        .json()
        .at("total")
        .at("received")
        .to_number<std::int64_t>();
  };
  CHECK(eventually([&] { return received_in_t1() == 1; }, 10s));
  std::this_thread::sleep_for(1500ms);
  CHECK(received_in_t1() == 1);
  for (const auto* login : {"t1.manager", "t1.handler", "v1.handler", "t1.operator"}) {
    CAPTURE(login);
    Session staff(port, login, std::string(login) == "t1.operator" ? "t1-operator-password" : fixture_password);
    // Reads and lists.
    CHECK(staff.get(path).status == 404);
    CHECK(staff.get(path + "/events").status == 404);
    CHECK(staff.get(path + "/receipt").status == 404);
    CHECK(staff.get(path + "/attachments").status == 404);
    CHECK(staff.send("POST", path + "/unmask", R"({"reason":"核实"})").status == 404);
    for (const auto* list : {"/api/v1/petitions", "/api/v1/petitions?deadline=overdue",
                             "/api/v1/petitions?q=%E4%B8%8D%E4%BD%9C%E4%B8%BA"}) {
      auto listed = staff.get(list);
      REQUIRE(listed.status == 200);
      CHECK(listed.body.find(tracking) == std::string::npos);
    }
    // The caller's history, for those who may ask it.
    auto history = staff.get(std::string("/api/v1/caller-history?phone=") + complaint_phone);
    if (history.status == 200) {
      CHECK(history.body.find(tracking) == std::string::npos);
      CHECK(history.body.find("\"petition_id\":" + std::to_string(id)) == std::string::npos);
    }
    auto calls = staff.get("/api/v1/calls");
    if (calls.status == 200) CHECK(calls.body.find("\"petition_id\":" + std::to_string(id)) == std::string::npos);
    // Reports, their drill-downs and exports.
    auto summary = staff.get("/api/v1/reports/summary?" + period);
    if (summary.status == 200) {
      for (const auto* measure : {"received", "overdue_now"}) {
        for (const auto* format : {"", "&format=csv", "&format=xlsx"}) {
          auto drill = staff.get(std::string("/api/v1/reports/petitions?measure=") + measure + "&" + period + format);
          REQUIRE(drill.status == 200);
          CHECK(drill.body.find(tracking) == std::string::npos);
        }
      }
    }
  }
  // Notifications and the digest: nobody in T1 or under it heard of the complaint.
  CHECK(count(db,
              "SELECT count(*) FROM notification_deliveries d JOIN users u ON u.id = d.user_id"
              " JOIN units un ON un.id = u.unit_id JOIN outbox o ON o.id = d.outbox_id"
              " WHERE un.path <@ (SELECT path FROM units WHERE code = 'T1') AND o.petition_id = " +
                  std::to_string(id)) == 0);
  // The month's digest (a dispatcher pass that read the clock before the advance may also have sent one for
  // the day before it, when the hour was set meanwhile): one a day, and the month's leaves the complaint out.
  const auto audience = "'user:" + std::to_string(org.user_ids.at("t1.manager")) + "'";
  CHECK(count(db, "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE topic = 'daily_digest' AND audience = " + audience +
                      " GROUP BY payload->>'date' HAVING count(*) > 1) twice") == 0);
  auto digest = db.exec("SELECT payload::text FROM outbox WHERE topic = 'daily_digest' AND audience = " + audience +
                        " ORDER BY id DESC LIMIT 1");
  REQUIRE(digest.rows() == 1);
  CAPTURE(digest.text(0, 0));
  CHECK(std::string(digest.text(0, 0)).find(tracking) == std::string::npos);
  CHECK(std::string(digest.text(0, 0)).find(plain_tracking) != std::string::npos);
  // The district's manager, who is not accused, sees it everywhere.
  Session district(port, "district.manager", fixture_password);
  CHECK(district.get(path).status == 200);
  CHECK(district.get("/api/v1/reports/petitions?measure=received&" + period).body.find(tracking) != std::string::npos);
}

TEST_CASE("a complaint about the top unit itself is refused at the desk, naming the field") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  TestServer server(org);
  Session op(server.port(), "operator", fixture_password);
  auto refused = op.send("POST", "/api/v1/petitions",
                         R"({"channel":"hotline","type":"complaint","category":"other","subject":"投诉区残联",)"
                         R"("content":"区残联不作为。","petitioner":{"name":"郑十二","phone":"13912340002"},)"
                         R"("complaint":{"units":["D"]}})");
  CHECK(refused.status == 422);
  CHECK(refused.json().at("error").at("field").as_string() == "complaint.units");
}
