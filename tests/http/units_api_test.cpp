#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using namespace petitiond::test;

TEST_CASE("admins create, rename, move and deactivate units over the API, everyone reads the tree") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url(), "--demo", "--demo-days", "0"});
  Session admin(server.port(), "admin", "12385-demo");

  auto created =
      admin.send("POST", "/api/v1/units", R"({"code":"QS-T01-V99","name":"新建村","parent":"QS-T01","phone":"028-1"})");
  REQUIRE(created.status == 201);
  CHECK(created.json().at("depth").as_int64() == 3);
  CHECK(admin.send("POST", "/api/v1/units", R"({"code":"QS-T01-V99","name":"重复","parent":"QS-T01"})").status == 409);
  auto bad_parent = admin.send("POST", "/api/v1/units", R"({"code":"X1","name":"无主","parent":"NOPE"})");
  CHECK(bad_parent.status == 422);
  CHECK(bad_parent.json().at("error").at("field").as_string() == "parent");
  auto bad_code = admin.send("POST", "/api/v1/units", R"({"code":"有空格 的","name":"x","parent":"QS"})");
  CHECK(bad_code.status == 422);
  CHECK(bad_code.json().at("error").at("field").as_string() == "code");

  CHECK(admin.send("PATCH", "/api/v1/units/QS-T01-V99", R"({"name":"改名村"})").json().at("name").as_string() ==
        "改名村");
  auto moved = admin.send("PATCH", "/api/v1/units/QS-T01-V99", R"({"parent":"QS-T02"})");
  CHECK(moved.json().at("parent").as_string() == "QS-T02");
  CHECK(admin.send("PATCH", "/api/v1/units/QS-T02", R"({"parent":"QS-T01-V99"})").status == 422);  // under itself
  CHECK(admin.send("PATCH", "/api/v1/units/QS-T02", R"({"active":false})").status == 422);         // still has villages
  CHECK(admin.send("PATCH", "/api/v1/units/QS-T01-V99", R"({"active":false})").json().at("active") == false);
  CHECK(admin.send("PATCH", "/api/v1/units/NOPE", R"({"name":"x"})").status == 404);
  CHECK(admin.send("PATCH", "/api/v1/units/QS", R"({"colour":"red"})").json().at("error").at("field").as_string() ==
        "colour");

  Session handler(server.port(), "v0101.handler", "12385-demo");
  auto subtree = handler.get("/api/v1/units?root=QS-T02").json().at("units").as_array();
  CHECK(subtree.front().at("code").as_string() == "QS-T02");
  bool inactive_listed = false;
  for (const auto& unit : subtree) inactive_listed |= unit.at("code").as_string() == "QS-T01-V99";
  CHECK_FALSE(inactive_listed);
  CHECK(handler.get("/api/v1/units?root=QS-T02&include_inactive=true").body.find("QS-T01-V99") != std::string::npos);
  CHECK(handler.send("PATCH", "/api/v1/units/QS-T02", R"({"name":"x"})").status == 403);
  CHECK(handler.get("/api/v1/unit-levels").json().at("levels").at(2).at("zh").as_string() == "村（社区）");
  auto levels =
      admin.send("PUT", "/api/v1/unit-levels",
                 R"({"levels":[{"zh":"区","en":"district"},{"zh":"街镇","en":"town"},{"zh":"村居","en":"village"}]})");
  CHECK(levels.status == 200);
  CHECK(handler.get("/api/v1/unit-levels").json().at("levels").at(1).at("zh").as_string() == "街镇");

  auto actions = pg::BlockingConnection(db.url()).exec(
      "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE actor_login = 'admin' AND action NOT LIKE "
      "'login%'");
  CHECK(actions.text(0, 0) == "unit.created,unit.updated,unit.moved,unit.deactivated,settings.changed");
}

TEST_CASE("everyone reads the routing table and the working calendars, and admins say which unit plays each function") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url(), "--demo", "--demo-days", "0"});
  Session admin(server.port(), "admin", "12385-demo");
  Session operator_(server.port(), "hotline1", "12385-demo");

  auto routing = operator_.get("/api/v1/routing").json();
  bool subsidies_to_civil_affairs = false;
  for (const auto& rule : routing.at("rules").as_array())
    subsidies_to_civil_affairs |= rule.at("category") == "subsidies" && rule.at("lead").at("kind") == "function" &&
                                  rule.at("lead").at("value") == "civil_affairs";
  CHECK(subsidies_to_civil_affairs);
  auto unit_of = [&](const char* function) {
    auto table = operator_.get("/api/v1/routing").json();
    for (const auto& f : table.at("functions").as_array())
      if (f.at("name") == function)
        return f.at("unit").is_null() ? std::string("-") : std::string(f.at("unit").at("code").as_string());
    return std::string("?");
  };
  CHECK(unit_of("civil_affairs") == "QS-MZ");  // the demo district's 民政局

  // A subsidies petition is suggested to whoever plays civil_affairs, before and after the change.
  auto filed =
      operator_
          .send(
              "POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"subsidies","subject":"补贴","content":"补贴未到账。",)"
              R"("petitioner":{"name":"王五","phone":"13800000001"}})")
          .json();
  const auto path = "/api/v1/petitions/" + std::to_string(filed.at("id").as_int64());
  CHECK(operator_.send("POST", path + "/actions/accept", R"({"version":1})").status == 200);
  CHECK(operator_.get(path).json().at("suggested_unit").at("code") == "QS-MZ");

  CHECK(operator_.send("PUT", "/api/v1/routing/functions", R"({"functions":{}})").status == 403);
  auto unknown = admin.send("PUT", "/api/v1/routing/functions", R"({"functions":{"astrology":"QS-MZ"}})");
  CHECK(unknown.status == 422);
  CHECK(unknown.json().at("error").at("field") == "functions.astrology");
  auto no_unit = admin.send("PUT", "/api/v1/routing/functions", R"({"functions":{"civil_affairs":"QS-NOPE"}})");
  CHECK(no_unit.status == 422);
  CHECK(no_unit.json().at("error").at("field") == "functions.civil_affairs");
  CHECK(admin.send("PUT", "/api/v1/routing/functions", R"({"functions":[]})").status == 422);
  CHECK(unit_of("civil_affairs") == "QS-MZ");  // nothing changed by refused requests

  auto changed = admin.send("PUT", "/api/v1/routing/functions",
                            R"({"functions":{"civil_affairs":"QS-RS","federation":"QS-CL","justice":null}})");
  REQUIRE(changed.status == 200);
  CHECK(unit_of("civil_affairs") == "QS-RS");
  CHECK(unit_of("justice") == "-");
  CHECK(unit_of("education") == "-");  // the whole assignment is replaced
  CHECK(operator_.get(path).json().at("suggested_unit").at("code") == "QS-RS");
  auto audited = pg::BlockingConnection(db.url()).exec(
      "SELECT details->'functions'->>'civil_affairs' FROM audit_log WHERE target_id = 'routing.functions'");
  REQUIRE(audited.rows() == 1);
  CHECK(audited.text(0, 0) == "QS-RS");

  // The national calendar: its hours, the 2026 National Day rest days and the make-up Saturday after them.
  auto calendars = operator_.get("/api/v1/calendars").json();
  const boost::json::object* cn = nullptr;
  for (const auto& c : calendars.at("calendars").as_array())
    if (c.at("name") == "cn") cn = &c.as_object();
  REQUIRE(cn);
  CHECK(cn->at("default").as_bool());
  CHECK(boost::json::serialize(cn->at("working_hours")) == R"(["08:30-12:00","14:00-17:30"])");
  auto has = [](const boost::json::value& list, const char* date) {
    for (const auto& d : list.as_array())
      if (d == date) return true;
    return false;
  };
  CHECK(has(cn->at("rest_days"), "2026-10-01"));
  CHECK_FALSE(has(cn->at("rest_days"), "2026-10-09"));
  CHECK(has(cn->at("working_days"), "2026-10-10"));
  CHECK(boost::json::serialize(cn->at("years")).find("2026") != std::string::npos);
}
