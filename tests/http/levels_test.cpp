// The procedure across levels through the API (issue 19): a town hands an order down to its village, which
// signs for it and replies up; the town checks the reply before it reaches the petitioner; the review goes to
// the body above the unit that replied; an emergency reaches the district at registration.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/db_helpers.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/shipped.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"
#include "workflow/calendar.hpp"

using namespace petitiond;
using namespace petitiond::test;

namespace {

const std::string help_petition =
    R"({"channel":"hotline","type":"help","category":"other","subject":"无障碍坡道损坏",)"
    R"("content":"村委会门前坡道损坏，轮椅无法通行。","petitioner":{"name":"钱七","phone":"13911112222","unit":"V1"}})";

boost::json::object petition(const Session& who, std::int64_t id) {
  auto reply = who.get("/api/v1/petitions/" + std::to_string(id));
  REQUIRE(reply.status == 200);
  return reply.json().as_object();
}

// Takes an action at the petition's current version; the reply's status.
int act(const Session& who, std::int64_t id, const std::string& action, const std::string& fields = "") {
  auto version = petition(who, id).at("version").to_number<int>();
  std::string body = R"({"version":)" + std::to_string(version) + (fields.empty() ? "" : "," + fields) + "}";
  return who.send("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/" + action, body).status;
}

std::vector<std::string> actions_of(const Session& who, std::int64_t id) {
  std::vector<std::string> names;
  const auto p = petition(who, id);
  for (const auto& a : p.at("actions").as_array()) names.emplace_back(a.at("name").as_string().c_str());
  return names;
}

std::string clock_deadline(const boost::json::object& p, const std::string& name) {
  for (const auto& c : p.at("clocks").as_array())
    if (c.at("name").as_string() == name)
      return c.at("deadline").is_null() ? "paused" : c.at("deadline").as_string().c_str();
  return "not running";
}

}  // namespace

TEST_CASE("a town hands an order down to its village, checks the village's reply, and the review goes above it") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password), t1(server.port(), "t1.handler", fixture_password),
      t1_manager(server.port(), "t1.manager", fixture_password), v1(server.port(), "v1.handler", fixture_password),
      district(server.port(), "district.manager", fixture_password);
  auto filed = op.send("POST", "/api/v1/petitions", help_petition);
  REQUIRE(filed.status == 201);
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  CHECK(filed.json().at("workflow").at("version").to_number<int>() == 2);
  REQUIRE(act(op, id, "accept") == 200);
  CHECK(clock_deadline(petition(op, id), "dispatch") != "not running");  // an accepted petition has a clock
  REQUIRE(act(op, id, "dispatch", R"("unit":"T1")") == 200);
  REQUIRE(act(t1, id, "sign_for") == 200);

  // Not to a village of another town, and not by the village itself.
  CHECK(act(t1_manager, id, "hand_down", R"("unit":"V2")") == 422);
  REQUIRE(act(t1_manager, id, "hand_down", R"("unit":"V1")") == 200);
  auto handed = petition(t1, id);  // the town still sees it
  CHECK(handed.at("state").as_string() == "dispatched");
  CHECK(handed.at("responsible_unit").at("code").as_string() == "V1");
  CHECK(handed.at("handed_down_from").as_array().at(0).at("code").as_string() == "T1");
  CHECK(clock_deadline(handed, "sign_for") != "not running");
  CHECK(actions_of(t1, id) == std::vector<std::string>{"take_back", "remind"});  // the town may chase its village
  CHECK(actions_of(v1, id) == std::vector<std::string>{"sign_for", "return_up"});
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'hand_down' AND audience = 'handlers'") == 1);

  REQUIRE(act(v1, id, "sign_for") == 200);
  auto handling = petition(v1, id);
  CHECK(clock_deadline(handling, "sub_handling") <= clock_deadline(handling, "handling"));
  REQUIRE(act(v1, id, "reply", R"("outcome":"support","reply":"坡道已修复")") == 200);
  CHECK(petition(v1, id).at("state").as_string() == "reply_checking");
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'reply_checking' AND audience = 'upper'") == 1);
  CHECK(
      count(db, "SELECT count(*) FROM outbox WHERE audience = 'petitioner' AND topic IN ('reply', 'approve_reply')") ==
      0);  // nothing has reached the petitioner yet
  CHECK(act(v1, id, "approve_reply") == 403);
  REQUIRE(act(t1, id, "send_back", R"("reason":"未附照片")") == 200);
  CHECK(petition(v1, id).at("state").as_string() == "handling");
  REQUIRE(act(v1, id, "reply", R"("outcome":"support","reply":"坡道已修复，附照片")") == 200);
  REQUIRE(act(t1_manager, id, "approve_reply") == 200);
  auto replied = petition(t1, id);
  CHECK(replied.at("state").as_string() == "replied");
  CHECK(replied.at("responsible_unit").at("code").as_string() == "T1");
  CHECK(replied.at("handed_down_from").as_array().empty());
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'approve_reply' AND audience = 'petitioner'") == 1);

  // The town replied: its review is decided above it (the district), never by the town.
  REQUIRE(act(op, id, "request_review", R"("reason":"坡道仍有台阶")") == 200);
  CHECK(petition(district, id).at("reviewing_unit").at("code").as_string() == "D");
  CHECK(act(t1_manager, id, "decide_review", R"("outcome":"explain","reply":"维持")") == 403);
  CHECK(petition(t1_manager, id).at("state").as_string() == "reviewing");  // it can read the review
  REQUIRE(act(district, id, "decide_review", R"("outcome":"support","reply":"责成整改")") == 200);
  // The district has nobody above it here: a re-review must be transferred out.
  CHECK(act(op, id, "request_re_review", R"("reason":"仍不满意")") == 409);
}

TEST_CASE(
    "the unit above takes an order back, the village returns one up, and the town hears when the village is late") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password), t1(server.port(), "t1.handler", fixture_password),
      v1(server.port(), "v1.handler", fixture_password);
  auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  REQUIRE(act(op, id, "accept") == 200);
  REQUIRE(act(op, id, "dispatch", R"("unit":"T1")") == 200);
  REQUIRE(act(t1, id, "sign_for") == 200);
  REQUIRE(act(t1, id, "hand_down", R"("unit":"V1")") == 200);
  CHECK(act(v1, id, "return", R"("reason":"不属本村")") == 409);  // not to the dispatcher: up to the town
  REQUIRE(act(v1, id, "return_up", R"("reason":"不属本村")") == 200);
  CHECK(petition(t1, id).at("responsible_unit").at("code").as_string() == "T1");
  CHECK(petition(t1, id).at("state").as_string() == "handling");

  REQUIRE(act(t1, id, "hand_down", R"("unit":"V1")") == 200);
  REQUIRE(act(v1, id, "sign_for") == 200);
  // A month on the village has not replied: it is reminded and the town is told.
  server.clock().advance(std::chrono::hours(24 * 30));
  REQUIRE(eventually([&] {
    return count(db, "SELECT count(*) FROM outbox WHERE topic IN ('reminder', 'escalation') AND audience = 'upper'") >
           0;
  }));
  REQUIRE(act(t1, id, "take_back", R"("reason":"村里无力办理")") == 200);
  auto back = petition(t1, id);
  CHECK(back.at("responsible_unit").at("code").as_string() == "T1");
  CHECK(clock_deadline(back, "sub_handling") == "not running");
  CHECK(v1.get("/api/v1/petitions/" + std::to_string(id)).status == 404);  // out of the village's hands
}

TEST_CASE("an emergency reaches the district managers at registration and runs on a 24-hour clock") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password);
  std::string emergency = help_petition;
  emergency.replace(emergency.find(R"("category")"), 0, R"("urgency":"emergency",)");
  auto filed = op.send("POST", "/api/v1/petitions", emergency);
  REQUIRE(filed.status == 201);
  auto p = filed.json().as_object();
  CHECK(count(db,
              "SELECT count(*) FROM outbox WHERE topic = 'registered_emergency' AND audience = 'district_managers'") ==
        1);
  CHECK(clock_deadline(p, "emergency") != "not running");
  CHECK(count(db,
              "SELECT count(*) FROM petition_clocks c JOIN petitions p ON p.id = c.petition_id"
              " WHERE c.name = 'emergency' AND c.deadline = p.received_at + interval '24 hours'") == 1);
  auto actions = actions_of(op, p.at("id").to_number<std::int64_t>());
  CHECK(std::find(actions.begin(), actions.end(), "fast_track") != actions.end());
  // Its handling limit counts hours, so an extension is asked for and given in hours.
  const auto id = p.at("id").to_number<std::int64_t>();
  Session t1(server.port(), "t1.handler", fixture_password), manager(server.port(), "t1.manager", fixture_password);
  REQUIRE(act(op, id, "accept") == 200);
  REQUIRE(act(op, id, "dispatch", R"("unit":"T1")") == 200);
  REQUIRE(act(t1, id, "sign_for") == 200);
  auto extension = petition(t1, id);
  for (const auto& a : extension.at("actions").as_array())
    if (a.at("name").as_string() == "request_extension")
      CHECK(a.at("requires").as_array().at(1).as_string() == "hours");
  CHECK(act(t1, id, "request_extension", R"("reason":"夜间无法入户","days":1)") == 422);
  REQUIRE(act(t1, id, "request_extension", R"("reason":"夜间无法入户","hours":6)") == 200);
  REQUIRE(act(manager, id, "approve_extension") == 200);
  CHECK(
      count(db,
            "SELECT count(*) FROM petition_clocks c JOIN petitions p ON p.id = c.petition_id WHERE c.name = 'handling'"
            " AND c.stopped_at IS NULL AND c.extension = 6 AND c.deadline = c.started_at + interval '30 hours'") == 1);
}

TEST_CASE("a department's reply is reviewed by the body the review.department_body setting names") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  db.exec("UPDATE settings SET value = '\"T2\"' WHERE key = 'review.department_body'");
  Session op(server.port(), "operator", fixture_password), mz(server.port(), "mz.handler", fixture_password),
      t2(server.port(), "t2.manager", fixture_password), district(server.port(), "district.manager", fixture_password);
  const auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  REQUIRE(act(op, id, "accept") == 200);
  REQUIRE(act(op, id, "dispatch", R"("unit":"D-MZ")") == 200);
  REQUIRE(act(mz, id, "sign_for") == 200);
  REQUIRE(act(mz, id, "reply", R"("outcome":"explain","reply":"政策解释")") == 200);
  REQUIRE(act(op, id, "request_review", R"("reason":"不服")") == 200);
  CHECK(petition(t2, id).at("reviewing_unit").at("code").as_string() == "T2");  // not the department's parent D
  CHECK(act(district, id, "decide_review", R"("outcome":"explain","reply":"维持")") == 403);
  CHECK(act(t2, id, "decide_review", R"("outcome":"explain","reply":"维持")") == 200);
}

TEST_CASE("a complaint about the top unit goes to the oversight unit, and nobody it accuses learns of it") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password),
      district(server.port(), "district.manager", fixture_password);
  std::string about_the_district = help_petition;
  about_the_district.replace(about_the_district.find(R"("petitioner")"), 0,
                             R"("type":"complaint","complaint":{"object":"区领导","units":["D"]},)");
  about_the_district.replace(about_the_district.find(R"("type":"help",)"), 14, "");
  auto refused = op.send("POST", "/api/v1/petitions", about_the_district);
  CHECK(refused.status == 422);  // no oversight unit set: refused, never stored unseen
  CHECK(refused.json().at("error").at("field").as_string() == "complaint.units");
  CHECK(count(db, "SELECT count(*) FROM petitions") == 0);

  db.exec("UPDATE settings SET value = '\"D-MZ\"' WHERE key = 'oversight.unit'");
  db.exec("UPDATE users SET roles = ARRAY['handler', 'manager'] WHERE login = 'mz.handler'");
  Session oversight(server.port(), "mz.handler", fixture_password);
  auto filed = op.send("POST", "/api/v1/petitions", about_the_district);
  REQUIRE(filed.status == 201);
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  CHECK(filed.json().at("intake_unit").at("code").as_string() == "D-MZ");
  CHECK(op.get("/api/v1/petitions/" + std::to_string(id)).status == 404);  // the operator is under the accused
  CHECK(district.get("/api/v1/petitions/" + std::to_string(id)).status == 404);
  REQUIRE(act(oversight, id, "accept") == 200);
  REQUIRE(act(oversight, id, "dispatch", R"("unit":"D-MZ")") == 200);
  REQUIRE(act(oversight, id, "sign_for") == 200);
  CHECK(petition(oversight, id).at("state").as_string() == "handling");

  // A unit the setting lists (the federation itself) has its complaints go there too, though the district is above.
  std::string about_the_town = about_the_district;
  about_the_town.replace(about_the_town.find(R"(["D"])"), 5, R"(["T2"])");
  CHECK(op.send("POST", "/api/v1/petitions", about_the_town).json().at("intake_unit").at("code").as_string() == "D");
  db.exec("UPDATE settings SET value = '[\"T2\"]' WHERE key = 'oversight.for'");
  CHECK(op.send("POST", "/api/v1/petitions", about_the_town).json().at("intake_unit").at("code").as_string() == "D-MZ");
}

TEST_CASE("a matter transferred out records the body, the reference and the day, and tells the petitioner") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password);
  const auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  CHECK(act(op, id, "transfer_out", R"("body":"市残联","reference":"青残转〔2026〕12号")") == 422);
  auto future = op.send("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/transfer_out",
                        R"({"version":1,"body":"市残联","reference":"青残转〔2026〕12号","date":"2099-01-01"})");
  CHECK(future.status == 422);
  CHECK(future.json().at("error").at("field").as_string() == "date");
  const auto today = workflow::format_date(workflow::local_date(server.clock().now()));
  REQUIRE(act(op, id, "transfer_out", R"("body":"市残联","reference":"青残转〔2026〕12号","date":")" + today + "\"") ==
          200);
  auto p = petition(op, id);
  CHECK(p.at("state").as_string() == "transferred");
  CHECK_FALSE(p.at("closed_at").is_null());
  CHECK(p.at("deadline").at("due_at").is_null());  // nothing runs on it any more
  auto event = db.exec(
      "SELECT fields->>'body', fields->>'reference', fields->>'date' FROM petition_events"
      " WHERE action = 'transfer_out'");
  CHECK(event.text(0, 0) == "市残联");
  CHECK(event.text(0, 1) == "青残转〔2026〕12号");
  CHECK(event.text(0, 2) == today);
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'transfer_out' AND audience = 'petitioner'") == 1);
}

TEST_CASE("merging needs the same petitioner, a flagged repeat or a reason, and a mistaken merge is undone") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password);
  auto file = [&](const std::string& name, const std::string& phone) {
    std::string body = help_petition;
    body.replace(body.find("钱七"), std::string("钱七").size(), name);
    body.replace(body.find("13911112222"), 11, phone);
    return op.send("POST", "/api/v1/petitions", body).json().at("id").to_number<std::int64_t>();
  };
  const auto parent = file("钱七", "13911112222"), other = file("孙八", "13933334444");
  REQUIRE(act(op, other, "accept") == 200);
  const auto merge = R"("parent":)" + std::to_string(parent);
  CHECK(act(op, other, "merge", merge) == 422);  // another person's matter, no reason
  REQUIRE(act(op, other, "merge", merge + R"(,"reason":"同一坡道的联名反映")") == 200);
  CHECK(petition(op, other).at("state").as_string() == "merged");
  CHECK(petition(op, parent).at("repeat_count").to_number<int>() == 1);
  CHECK(db.exec("SELECT fields->>'reason' FROM petition_events WHERE action = 'merge'").text(0, 0) ==
        "同一坡道的联名反映");

  REQUIRE(act(op, other, "unmerge", R"("reason":"并非同一事项")") == 200);
  auto restored = petition(op, other);
  CHECK(restored.at("state").as_string() == "accepted");  // where it was merged from
  CHECK(restored.at("parent_id").is_null());
  CHECK(restored.at("closed_at").is_null());
  CHECK(clock_deadline(restored, "dispatch") != "not running");
  CHECK(petition(op, parent).at("repeat_count").to_number<int>() == 0);
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'repeat_unmerged'") == 1);

  const auto again = file("钱七", "13911112222");  // the same person: no reason needed
  CHECK(act(op, again, "merge", merge) == 200);
}

TEST_CASE("a reclassification is audited, on the timeline, and takes the petition away from a unit it now accuses") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password), t1(server.port(), "t1.handler", fixture_password);
  const auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  REQUIRE(act(op, id, "accept") == 200);
  REQUIRE(act(op, id, "dispatch", R"("unit":"T1")") == 200);
  REQUIRE(act(t1, id, "sign_for") == 200);
  CHECK(act(op, id, "reclassify", R"("reason":"x","category":"no_such_category")") == 422);
  CHECK(act(op, id, "reclassify", R"("reason":"x","complained_units":["NOPE"])") == 422);
  CHECK(act(op, id, "reclassify", R"("reason":"x","place":"NOPE")") == 422);
  REQUIRE(act(op, id, "reclassify",
              R"("reason":"反映镇政府","type":"complaint","complained_units":["T1"],"place":"V1")") == 200);
  auto p = petition(op, id);
  CHECK(p.at("type").as_string() == "complaint");
  CHECK(p.at("state").as_string() == "accepted");
  CHECK(p.at("responsible_unit").is_null());
  CHECK(t1.get("/api/v1/petitions/" + std::to_string(id)).status == 404);  // out of the accused town's sight
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action = 'petition.reclassified' AND target_id = '" +
                      std::to_string(id) + "'") == 1);
  CHECK(db.exec("SELECT fields->>'complained_units' FROM petition_events WHERE action = 'reclassify'").text(0, 0) ==
        "T1");
  CHECK(act(op, id, "dispatch", R"("unit":"T1")") == 422);
}

TEST_CASE(
    "in the demo district legal aid goes to the town's station, down to the village's contact point and back up") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url(), "--demo", "--demo-days", "0"});
  const std::string password = "12385-demo";
  Session hotline(server.port(), "hotline1", password), station(server.port(), "fy-t01.handler", password),
      point(server.port(), "fy-t01-v01.handler", password), town(server.port(), "t01.manager", password);
  auto filed = hotline.send(
      "POST", "/api/v1/petitions",
      R"({"channel":"hotline","type":"legal_aid","category":"legal_aid","subject":"工伤赔偿需要法律援助",)"
      R"("content":"工伤后单位拒绝赔偿，申请法律援助。","petitioner":{"name":"冯九","phone":"13955556666","unit":"QS-T01-V01"}})");
  REQUIRE(filed.status == 201);
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  REQUIRE(act(hotline, id, "accept") == 200);
  REQUIRE(act(hotline, id, "dispatch") == 200);  // no unit given: the routing table's
  CHECK(petition(station, id).at("responsible_unit").at("code").as_string() == "QS-SF-FY-T01");
  REQUIRE(act(station, id, "sign_for") == 200);
  REQUIRE(act(station, id, "hand_down", R"("unit":"QS-SF-FY-T01-V01")") == 200);
  REQUIRE(act(point, id, "sign_for") == 200);
  REQUIRE(act(point, id, "reply", R"("outcome":"support","reply":"已指派律师")") == 200);
  REQUIRE(act(station, id, "approve_reply") == 200);
  CHECK(petition(station, id).at("state").as_string() == "replied");

  // The issue's first case: a town hands an order down to its own village.
  auto order = hotline.send("POST", "/api/v1/petitions",
                            help_petition.substr(0, help_petition.find(R"("unit":"V1")")) + R"("unit":"QS-T01-V01"}})");
  REQUIRE(order.status == 201);
  const auto order_id = order.json().at("id").to_number<std::int64_t>();
  REQUIRE(act(hotline, order_id, "accept") == 200);
  REQUIRE(act(hotline, order_id, "dispatch", R"("unit":"QS-T01")") == 200);
  REQUIRE(act(town, order_id, "sign_for") == 200);
  CHECK(act(town, order_id, "hand_down", R"("unit":"QS-T01-V01")") == 200);
}

TEST_CASE("a co-handling unit signs for its part, has a limit, and gives a contribution the lead unit reads") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password), t1(server.port(), "t1.handler", fixture_password),
      mz(server.port(), "mz.handler", fixture_password);
  const auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  REQUIRE(act(op, id, "accept") == 200);
  CHECK(act(op, id, "dispatch", R"("unit":"T1","co_units":["NOPE"])") == 422);
  CHECK(act(op, id, "dispatch", R"("unit":"T1","co_units":["T1"])") == 422);  // the lead is not its own co-handler
  REQUIRE(act(op, id, "dispatch", R"("unit":"T1","co_units":["D-MZ"])") == 200);
  auto dispatched = petition(mz, id);  // the co-handler sees it
  REQUIRE(dispatched.at("co_handling").as_array().size() == 1);
  const auto& part = dispatched.at("co_handling").as_array().at(0);
  CHECK(part.at("unit").at("code").as_string() == "D-MZ");
  CHECK_FALSE(part.at("due_at").is_null());  // its own limit
  CHECK(actions_of(mz, id) == std::vector<std::string>{"co_sign_for"});
  CHECK(act(mz, id, "contribute", R"("contribution":"x")") == 403);  // sign for it first
  REQUIRE(act(mz, id, "co_sign_for") == 200);
  CHECK(petition(mz, id).at("state").as_string() == "dispatched");  // the petition stays where it is
  CHECK(actions_of(mz, id) == std::vector<std::string>{"contribute"});
  CHECK(act(mz, id, "contribute") == 422);
  REQUIRE(act(mz, id, "contribute", R"("contribution":"已核实其低保资格，符合条件")") == 200);
  CHECK(actions_of(mz, id).empty());
  REQUIRE(act(t1, id, "sign_for") == 200);
  auto lead = petition(t1, id).at("co_handling").as_array().at(0);
  CHECK(lead.at("contribution").as_string() == "已核实其低保资格，符合条件");
  CHECK_FALSE(lead.at("signed_at").is_null());
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'contribute' AND audience = 'handlers'") == 1);

  // A part not given in time: the co-handling unit is reminded and the lead unit told, once.
  const auto late = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  REQUIRE(act(op, late, "accept") == 200);
  REQUIRE(act(op, late, "dispatch", R"("unit":"T1","co_units":["D-MZ"])") == 200);
  server.clock().advance(std::chrono::hours(24 * 30));
  REQUIRE(eventually([&] {
    return count(db, "SELECT count(*) FROM petition_events WHERE action = 'co_part_overdue' AND petition_id = " +
                         std::to_string(late)) == 1;
  }));
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'co_part_overdue' AND petition_id = " +
                      std::to_string(late)) == 2);  // co_unit:<D-MZ>, lead_handlers
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE topic = 'co_part_overdue' AND petition_id = " +
                      std::to_string(id)) == 0);  // the part given in time is not late
  REQUIRE(eventually([&] {                        // reaching the co-handling unit's handler, and the lead unit's
    return count(db,
                 "SELECT count(DISTINCT u.login) FROM notification_deliveries d JOIN users u ON u.id = d.user_id"
                 " WHERE d.topic = 'co_part_overdue' AND u.login IN ('mz.handler', 't1.handler')") == 2;
  }));
}

TEST_CASE("a unit's calendar: an unknown name is refused, a new one recomputes its running deadlines") {
  OrgFixture org;
  ScratchDir calendars;
  const auto today = workflow::local_date(workflow::Instant(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())));
  {
    std::ofstream file(calendars.path() / "local.yaml");
    file << "calendar: local\nrest_days:\n";  // the town's own rest days: the next three weeks
    for (int i = 1; i <= 21; ++i) file << "  - " << workflow::format_date(today + std::chrono::days(i)) << "\n";
  }
  TestServer server(org, {"--calendar-dir", calendars.path().string()});
  pg::BlockingConnection db(org.db.url());
  Session op(server.port(), "operator", fixture_password), t1(server.port(), "t1.handler", fixture_password),
      admin(server.port(), "admin", fixture_password);
  const auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
  REQUIRE(act(op, id, "accept") == 200);
  REQUIRE(act(op, id, "dispatch", R"("unit":"T1")") == 200);
  REQUIRE(act(t1, id, "sign_for") == 200);
  const auto before = clock_deadline(petition(t1, id), "handling");

  auto unknown = admin.send("PATCH", "/api/v1/units/T1", R"({"calendar":"lcoal"})");
  CHECK(unknown.status == 422);
  CHECK(unknown.json().at("error").at("field").as_string() == "calendar");
  REQUIRE(admin.send("PATCH", "/api/v1/units/T1", R"({"calendar":"local"})").status == 200);
  const auto after = clock_deadline(petition(t1, id), "handling");
  CHECK(after > before);  // three weeks of the town's rest days pushed it back
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'deadline_recomputed'") == 1);

  // The town's calendar keeps the national days it does not change: the National Day holiday stays a rest day.
  auto listed = admin.get("/api/v1/calendars").json().at("calendars").as_array();
  for (const auto& c : listed)
    if (c.at("name").as_string() == "local") {
      bool national = false;
      for (const auto& d : c.at("rest_days").as_array()) national |= d.as_string() == "2026-10-01";
      CHECK(national);
    }
}

TEST_CASE("from 1 November a missing next-year calendar is a warning on /readyz and in /metrics, not an outage") {
  OrgFixture org;
  TestServer server(org);
  const int last = test::cn().last_published_year();
  server.clock().set(workflow::start_of(std::chrono::sys_days{std::chrono::year{last} / std::chrono::November / 2}));
  auto ready = http_request(server.port(), "GET", "/readyz");
  CHECK(ready.status == 200);
  const auto body = ready.json();
  const auto& warnings = body.at("warnings").as_array();
  REQUIRE_FALSE(warnings.empty());
  CHECK(std::string(warnings.at(0).as_string()).find(std::to_string(last + 1)) != std::string::npos);
  auto metrics = http_request(server.port(), "GET", "/metrics").body;
  CHECK(metrics.find("petitiond_calendar_next_year_missing 1") != std::string::npos);
  Session admin(server.port(), "admin", fixture_password);
  CHECK_FALSE(admin.get("/api/v1/calendars").json().at("warnings").as_array().empty());  // the admin page's

  server.clock().set(workflow::start_of(std::chrono::sys_days{std::chrono::year{last} / std::chrono::October / 30}));
  CHECK(http_request(server.port(), "GET", "/readyz").json().at("warnings").as_array().empty());
}

TEST_CASE("a handler's worklist holds the unit's orders, those it co-handles and those it handed down, once each") {
  OrgFixture org;
  TestServer server(org);
  Session op(server.port(), "operator", fixture_password), t1(server.port(), "t1.handler", fixture_password),
      t1_manager(server.port(), "t1.manager", fixture_password), mz(server.port(), "mz.handler", fixture_password),
      district(server.port(), "district.manager", fixture_password);
  auto file = [&](const std::string& dispatch) {
    const auto id = op.send("POST", "/api/v1/petitions", help_petition).json().at("id").to_number<std::int64_t>();
    REQUIRE(act(op, id, "accept") == 200);
    REQUIRE(act(op, id, "dispatch", dispatch) == 200);
    return id;
  };
  const auto own = file(R"("unit":"T1")");
  const auto handed = file(R"("unit":"T1")");
  REQUIRE(act(t1, handed, "sign_for") == 200);
  REQUIRE(act(t1_manager, handed, "hand_down", R"("unit":"V1")") == 200);
  const auto mz_own = file(R"("unit":"D-MZ")");
  const auto co = file(R"("unit":"T1","co_units":["D-MZ"])");
  file(R"("unit":"T2")");  // neither's

  auto ids = [](const boost::json::object& page) {
    std::set<std::int64_t> out;
    for (const auto& item : page.at("items").as_array()) out.insert(item.at("id").to_number<std::int64_t>());
    return out;
  };
  const std::string worklist = "/api/v1/petitions?sort=deadline&limit=50";
  auto town = t1.get(worklist).json().as_object();
  CHECK(ids(town) == std::set<std::int64_t>{own, handed, co});
  CHECK(town.at("items").as_array().size() == 3);  // each once
  CHECK(town.at("total").to_number<int>() == 3);

  // One a page: the co-handled order after the unit's own, by the same cursor.
  auto first = mz.get("/api/v1/petitions?sort=deadline&limit=1").json().as_object();
  CHECK(first.at("total").to_number<int>() == 2);
  REQUIRE(first.at("next").is_string());
  auto second = mz.get("/api/v1/petitions?sort=deadline&limit=1&after=" + std::string(first.at("next").as_string()))
                    .json()
                    .as_object();
  CHECK(second.at("next").is_null());
  std::set<std::int64_t> both = ids(first);
  both.merge(ids(second));
  CHECK(both == std::set<std::int64_t>{mz_own, co});

  // A town's subtree by deadline (the town's and its villages' orders), one a page: every one once, in order.
  std::vector<std::int64_t> seen;
  std::vector<std::string> deadlines;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    auto reply =
        district.get("/api/v1/petitions?unit=T1&sort=deadline&limit=1" + (after.empty() ? "" : "&after=" + after))
            .json()
            .as_object();
    CHECK(reply.at("total").to_number<int>() == 3);
    for (const auto& item : reply.at("items").as_array()) {
      seen.push_back(item.at("id").to_number<std::int64_t>());
      deadlines.emplace_back(item.at("due_at").as_string().c_str());
    }
    if (reply.at("next").is_null()) break;
    after = std::string(reply.at("next").as_string());
  }
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()) == std::set<std::int64_t>{own, handed, co});
  CHECK(seen.size() == 3);
  CHECK(std::is_sorted(deadlines.begin(), deadlines.end()));
}
