#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using namespace petitiond::test;

TEST_CASE("admins create, rename, move and deactivate units over the API; everyone reads the tree") {
  TestDatabase db;
  PetitiondProcess server({"--database-url", db.url(), "--demo"});
  Session admin(server.port(), "admin", "12385-demo");

  auto created = admin.send("POST", "/api/v1/units", R"({"code":"QS-T01-V99","name":"新建村","parent":"QS-T01","phone":"028-1"})");
  REQUIRE(created.status == 201);
  CHECK(created.json().at("depth").as_int64() == 3);
  CHECK(admin.send("POST", "/api/v1/units", R"({"code":"QS-T01-V99","name":"重复","parent":"QS-T01"})").status == 409);
  auto bad_parent = admin.send("POST", "/api/v1/units", R"({"code":"X1","name":"无主","parent":"NOPE"})");
  CHECK(bad_parent.status == 422);
  CHECK(bad_parent.json().at("error").at("field").as_string() == "parent");
  auto bad_code = admin.send("POST", "/api/v1/units", R"({"code":"有空格 的","name":"x","parent":"QS"})");
  CHECK(bad_code.status == 422);
  CHECK(bad_code.json().at("error").at("field").as_string() == "code");

  CHECK(admin.send("PATCH", "/api/v1/units/QS-T01-V99", R"({"name":"改名村"})").json().at("name").as_string() == "改名村");
  auto moved = admin.send("PATCH", "/api/v1/units/QS-T01-V99", R"({"parent":"QS-T02"})");
  CHECK(moved.json().at("parent").as_string() == "QS-T02");
  CHECK(admin.send("PATCH", "/api/v1/units/QS-T02", R"({"parent":"QS-T01-V99"})").status == 422);  // under itself
  CHECK(admin.send("PATCH", "/api/v1/units/QS-T02", R"({"active":false})").status == 422);  // still has villages
  CHECK(admin.send("PATCH", "/api/v1/units/QS-T01-V99", R"({"active":false})").json().at("active") == false);
  CHECK(admin.send("PATCH", "/api/v1/units/NOPE", R"({"name":"x"})").status == 404);
  CHECK(admin.send("PATCH", "/api/v1/units/QS", R"({"colour":"red"})").json().at("error").at("field").as_string() == "colour");

  Session handler(server.port(), "v0101.handler", "12385-demo");
  auto subtree = handler.get("/api/v1/units?root=QS-T02").json().at("units").as_array();
  CHECK(subtree.front().at("code").as_string() == "QS-T02");
  bool inactive_listed = false;
  for (const auto& unit : subtree) inactive_listed |= unit.at("code").as_string() == "QS-T01-V99";
  CHECK_FALSE(inactive_listed);
  CHECK(handler.get("/api/v1/units?root=QS-T02&include_inactive=true").body.find("QS-T01-V99") != std::string::npos);
  CHECK(handler.send("PATCH", "/api/v1/units/QS-T02", R"({"name":"x"})").status == 403);
  CHECK(handler.get("/api/v1/unit-levels").json().at("levels").at(2).at("zh").as_string() == "村（社区）");
  auto levels = admin.send("PUT", "/api/v1/unit-levels", R"({"levels":[{"zh":"区","en":"district"},{"zh":"街镇","en":"town"},{"zh":"村居","en":"village"}]})");
  CHECK(levels.status == 200);
  CHECK(handler.get("/api/v1/unit-levels").json().at("levels").at(1).at("zh").as_string() == "街镇");

  auto actions = pg::BlockingConnection(db.url()).exec(
      "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE actor_login = 'admin' AND action NOT LIKE 'login%'");
  CHECK(actions.text(0, 0) == "unit.created,unit.updated,unit.moved,unit.deactivated,settings.changed");
}
