// The deadline scheduler: escalation points written with every change fire once, whichever of several
// petitiond processes gets them, including those that fell due while no process ran.
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

namespace {

const std::string urgent_petition =
    R"({"channel":"hotline","type":"help","category":"other","urgency":"urgent","subject":"轮椅损坏",)"
    R"("content":"轮椅损坏无法出门，请尽快帮助。","petitioner":{"name":"钱七","phone":"13911112222","unit":"V1"}})";

// Files `count` urgent petitions and dispatches them to village V1: each starts a sign-for clock of two
// working hours whose breach reminds the village and tells the town's managers.
std::vector<std::int64_t> dispatched_petitions(unsigned short port, int count) {
  Session op(port, "operator", fixture_password);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < count; ++i) {
    auto filed = op.send("POST", "/api/v1/petitions", urgent_petition);
    REQUIRE(filed.status == 201);
    auto id = filed.json().at("id").to_number<std::int64_t>();
    const auto base = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
    REQUIRE(op.send("POST", base + "accept", R"({"version":1})").status == 200);
    REQUIRE(op.send("POST", base + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

TEST_CASE("a breached sign-for limit reminds the unit and tells its parent's managers, once") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  auto ids = dispatched_petitions(server.port(), 1);
  // Half-way (the warning: the handlers hear it is due soon) and at the deadline.
  CHECK(count(db, "SELECT count(*) FROM escalation_points WHERE clock = 'sign_for' AND fired_at IS NULL") == 2);
  std::this_thread::sleep_for(1500ms);  // a scheduler pass or more before the deadline: nothing fires
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == 0);

  server.clock().advance(24h * 7);
  REQUIRE(
      eventually([&] { return count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == 2; }));
  std::this_thread::sleep_for(1500ms);  // later passes find nothing more to fire
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == 2);
  CHECK(count(db, "SELECT reminders FROM petitions WHERE id = " + std::to_string(ids[0])) == 1);
  auto outbox = db.exec(
      "SELECT topic || ':' || audience FROM outbox WHERE topic IN ('due_soon', 'reminder', 'escalation')"
      " ORDER BY id");
  REQUIRE(outbox.rows() == 3);
  CHECK(outbox.text(0, 0) == "due_soon:handlers");
  CHECK(outbox.text(1, 0) == "reminder:handlers");
  CHECK(outbox.text(2, 0) == "escalation:parent_managers");

  Session handler(server.port(), "v1.handler", fixture_password);
  auto shown = handler.get("/api/v1/petitions/" + std::to_string(ids[0])).json();
  CHECK(shown.at("escalation").at("reminders").to_number<int>() == 1);
  // The handler signs for it: the clock stops, its unfired points go.
  auto version = handler.get("/api/v1/petitions/" + std::to_string(ids[0])).json().at("version").to_number<int>();
  REQUIRE(handler
              .send("POST", "/api/v1/petitions/" + std::to_string(ids[0]) + "/actions/sign_for",
                    R"({"version":)" + std::to_string(version) + "}")
              .status == 200);
  CHECK(count(db, "SELECT count(*) FROM escalation_points WHERE clock = 'sign_for' AND fired_at IS NULL") == 0);
  CHECK(count(db, "SELECT count(*) FROM escalation_points WHERE clock = 'handling' AND fired_at IS NULL") > 0);

  // A month on, the village is late: warned, then its town reminds and supervises it (督办) and its managers
  // hear of it; five working days past the deadline it is listed for criticism (通报) before the district.
  server.clock().advance(24h * 30);
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM escalation_points WHERE fired_at IS NULL") == 0; }));
  auto late = handler.get("/api/v1/petitions/" + std::to_string(ids[0])).json().at("escalation");
  CHECK(late.at("reminders").to_number<int>() == 3);  // sign-for breach, handling warning, handling breach
  CHECK(late.at("supervisions").to_number<int>() == 1);
  CHECK(late.at("supervised_by").as_string() == "T1");
  CHECK_FALSE(late.at("criticised_at").is_null());
  auto audiences = db.exec("SELECT string_agg(audience, ',' ORDER BY id) FROM outbox WHERE topic = 'escalation'");
  CHECK(audiences.text(0, 0) == "parent_managers,parent_managers,district_managers");
}

TEST_CASE("three processes on one database fire every escalation exactly once") {
  OrgFixture org;
  TestServer a(org), b(org), c(org);
  pg::BlockingConnection db(org.db.url());
  dispatched_petitions(a.port(), 30);
  const auto points = count(db, "SELECT count(*) FROM escalation_points WHERE fired_at IS NULL AND clock = 'sign_for'");
  REQUIRE(points == 60);  // a warning and a breach each
  for (auto* server : {&a, &b, &c}) server->clock().advance(24h * 7);
  REQUIRE(eventually([&] {
    return count(db, "SELECT count(*) FROM escalation_points WHERE fired_at IS NULL AND clock = 'sign_for'") == 0;
  }));
  std::this_thread::sleep_for(1500ms);
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == points);
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'due_soon'") == 30);
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'reminder'") == 30);
  CHECK(count(db, "SELECT sum(reminders) FROM petitions") == 30);
}

TEST_CASE("Idempotency-Keys are kept a week, then forgotten by the scheduler's housekeeping") {
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  {
    TestServer server(org);
    Session op(server.port(), "operator", fixture_password);
    REQUIRE(op.request("POST", "/api/v1/petitions", urgent_petition, {{"Idempotency-Key", "k-1"}}).status == 201);
    CHECK(count(db, "SELECT count(*) FROM idempotency_keys") == 1);
  }
  TestServer later(org, {}, 24h * 8);  // housekeeping runs at start: eight days on, the key is a week old
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM idempotency_keys") == 0; }));
}

TEST_CASE("escalations that fell due while no process ran fire once at the next start") {
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  {
    TestServer idle(org, {"--scheduler-interval", "0"});  // registers and dispatches, never fires
    dispatched_petitions(idle.port(), 3);
    idle.clock().advance(24h * 7);
    std::this_thread::sleep_for(500ms);
    CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == 0);
  }
  TestServer restarted(org);
  restarted.clock().advance(24h * 7);
  // Three warnings and three breaches.
  REQUIRE(
      eventually([&] { return count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == 6; }));
  std::this_thread::sleep_for(1500ms);
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") == 6);
}

TEST_CASE("a sleeping scheduler wakes at once when a point earlier than every other is written") {
  OrgFixture org;
  TestServer server(org, {"--scheduler-interval", "30000"});  // it would otherwise sleep 30 s between passes
  pg::BlockingConnection db(org.db.url());
  std::this_thread::sleep_for(1s);  // the first pass has run and found nothing: asleep
  Session op(server.port(), "operator", fixture_password);
  // The first registration writes the first points (its acceptance clock's): a pass, then asleep again.
  REQUIRE(op.send("POST", "/api/v1/petitions", urgent_petition).status == 201);
  std::this_thread::sleep_for(1500ms);
  auto filed = op.send("POST", "/api/v1/petitions", urgent_petition);  // its points come later: no wake-up
  REQUIRE(filed.status == 201);
  std::this_thread::sleep_for(1500ms);
  CHECK(count(db, "SELECT count(*) FROM report_fact_queue") > 0);  // still asleep: nothing folded its facts
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  REQUIRE(op.send("POST", actions + "accept", R"({"version":1})").status == 200);
  REQUIRE(op.send("POST", actions + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);  // the first points
  CHECK(eventually([&] { return count(db, "SELECT count(*) FROM report_fact_queue") == 0; }, 3s));
}

TEST_CASE("an escalation point that cannot fire is marked with its error and holds back no other") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  auto ids = dispatched_petitions(server.port(), 3);
  // Break the first petition's sign-for breach point: its actions are no list, so applying them fails.
  const auto breach = " WHERE petition_id = " + std::to_string(ids[0]) +
                      " AND clock = 'sign_for' AND due_at ="
                      " (SELECT max(due_at) FROM escalation_points WHERE petition_id = " +
                      std::to_string(ids[0]) + " AND clock = 'sign_for')";
  db.exec("UPDATE escalation_points SET actions = '\"broken\"', due_at = due_at - interval '1 minute'" + breach);
  server.clock().advance(24h * 7);
  REQUIRE(eventually([&] {
    return count(db, "SELECT count(*) FROM escalation_points WHERE clock = 'sign_for' AND fired_at IS NULL") == 0;
  }));
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'escalation'") ==
        5);  // three warnings, two breaches
  auto failed = db.exec("SELECT fired_by FROM escalation_points" + breach);
  CHECK(std::string(failed.text(0, 0)).find("failed: ") != std::string::npos);
  CHECK(count(db, "SELECT reminders FROM petitions WHERE id = " + std::to_string(ids[0])) == 0);
}

TEST_CASE("a manual reminder (催办) tells the unit, counts on the petition and in the reports, and moves nothing") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  auto ids = dispatched_petitions(server.port(), 1);
  const auto path = "/api/v1/petitions/" + std::to_string(ids[0]);
  Session op(server.port(), "operator", fixture_password);
  auto before = op.get(path).json();
  CHECK(before.at("escalation").at("reminders").to_number<int>() == 0);
  auto reminded = op.send("POST", path + "/actions/remind", R"({"version":3,"comment":"请今天签收"})");
  REQUIRE(reminded.status == 200);
  auto after = reminded.json();
  CHECK(after.at("state").as_string() == "dispatched");
  CHECK(after.at("escalation").at("reminders").to_number<int>() == 1);
  CHECK(after.at("deadline") == before.at("deadline"));
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'remind' AND audience = 'handlers'") == 1);
  CHECK(count(db,
              "SELECT count(*) FROM report_facts f JOIN units u ON u.id = f.unit_id"
              " WHERE f.measure = 'reminded' AND u.code = 'V1'") == 1);
  // The village's own handler cannot chase itself; a stale version is refused.
  Session handler(server.port(), "v1.handler", fixture_password);
  CHECK(handler.send("POST", path + "/actions/remind", R"({"version":4})").status == 403);
  CHECK(op.send("POST", path + "/actions/remind", R"({"version":3})").status == 409);
}
