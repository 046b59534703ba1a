// Working calendars edited in the app: a year's rest days and make-up working days set over the API,
// every process using them at once, and the running deadlines recomputed.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const char* const petition_body =
    R"({"channel":"hotline","type":"help","category":"subsidies","subject":"护理补贴未到账",)"
    R"("content":"本月护理补贴没有到账。","petitioner":{"name":"张三","phone":"13812345678","unit":"V1"}})";

// The official 2026 dates as shipped (schemas/calendars/cn-2026.yaml), with `extra_rest` added.
std::string year_2026(const std::string& extra_rest = "") {
  return R"({"rest_days":["2026-01-01..2026-01-03","2026-02-15..2026-02-23","2026-04-04..2026-04-06",)"
         R"("2026-05-01..2026-05-05","2026-06-19..2026-06-21","2026-09-25..2026-09-27","2026-10-01..2026-10-07")" +
         extra_rest +
         R"(],"working_days":["2026-01-04","2026-02-14","2026-02-28","2026-05-09","2026-09-20","2026-10-10"]})";
}

std::string due_of(const Session& session, std::int64_t id) {
  auto reply = session.get("/api/v1/petitions/" + std::to_string(id));
  REQUIRE(reply.status == 200);
  return std::string(reply.json().at("deadline").at("due_at").as_string());
}

bool lists_rest_day(const Session& session, const std::string& day) {
  const auto listed = json::parse(session.get("/api/v1/calendars").body);
  for (const auto& calendar : listed.at("calendars").as_array())
    if (calendar.at("name") == "cn")
      for (const auto& d : calendar.at("rest_days").as_array())
        if (d.as_string() == day) return true;
  return false;
}

// A petition filed, accepted and dispatched to V1 (version 3, waiting to be signed for); its id.
std::int64_t dispatched_to_v1(const Session& operator_) {
  auto filed = operator_.send("POST", "/api/v1/petitions", petition_body);
  REQUIRE(filed.status == 201);
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  REQUIRE(operator_.send("POST", actions + "accept", R"({"version":1})").status == 200);
  REQUIRE(operator_.send("POST", actions + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);
  return id;
}

std::string field_of(const HttpReply& reply) { return std::string(reply.json().at("error").at("field").as_string()); }

}  // namespace

TEST_CASE("admins set a year of a working calendar, every process uses it, and running deadlines move with it") {
  OrgFixture org;
  TestServer server(org);
  // Monday 2026-03-02 09:00, signed for at once: 7 working days to handle it, to the end of Wednesday 03-11.
  server.clock().set(workflow::at_local(*workflow::parse_date("2026-03-02"), std::chrono::hours(9)));
  // Its clock is the real one: no scheduler, which would fire this March's escalation points.
  PetitiondProcess other({"--database-url", org.db.url(), "--scheduler-interval", "0"});
  Session admin(server.port(), "admin", fixture_password);
  Session operator_(server.port(), "operator", fixture_password);
  Session elsewhere(other.port(), "operator", fixture_password);
  const auto id = dispatched_to_v1(operator_);
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  auto signed_for =
      Session(server.port(), "v1.handler", fixture_password).send("POST", actions + "sign_for", R"({"version":3})");
  REQUIRE(signed_for.status == 200);
  const auto version = signed_for.json().at("version").to_number<std::int64_t>();
  CHECK(due_of(operator_, id) == "2026-03-12T00:00:00+08:00");
  pg::BlockingConnection db(org.db.url());
  const auto points =
      "SELECT string_agg(iso_local(due_at), ',' ORDER BY due_at) FROM escalation_points"
      " WHERE fired_at IS NULL AND petition_id = " +
      std::to_string(id);
  const std::string points_before(db.exec(points).text(0, 0));
  CHECK(!points_before.empty());

  // Refused, each naming what is wrong.
  CHECK(Session(server.port(), "t1.handler", fixture_password)
            .send("PUT", "/api/v1/calendars/cn/years/2026", year_2026())
            .status == 403);
  CHECK(admin.send("PUT", "/api/v1/calendars/nope/years/2026", year_2026()).status == 404);
  auto bad_date = admin.send("PUT", "/api/v1/calendars/cn/years/2026", year_2026(R"(,"03-17")"));
  CHECK(bad_date.status == 422);
  CHECK(field_of(bad_date) == "rest_days[7]");
  auto weekday =
      admin.send("PUT", "/api/v1/calendars/cn/years/2026", R"({"rest_days":[],"working_days":["2026-03-17"]})");
  CHECK(weekday.status == 422);
  CHECK(field_of(weekday) == "working_days[0]");
  CHECK(field_of(admin.send("PUT", "/api/v1/calendars/cn/years/2026", R"({"rest_days":[]})")) == "working_days");
  CHECK(field_of(admin.send("PUT", "/api/v1/calendars/cn/years/2026", R"({"rest_days":[],"working_days":[],"x":1})")) ==
        "x");
  CHECK(field_of(admin.send("PUT", "/api/v1/calendars/cn/years/1999", R"({"rest_days":[],"working_days":[]})")) ==
        "year");
  CHECK(field_of(admin.send("PUT", "/api/v1/calendars/cn/years/next", R"({"rest_days":[],"working_days":[]})")) ==
        "year");
  CHECK(due_of(operator_, id) == "2026-03-12T00:00:00+08:00");

  // 03-10 and 03-11 made rest days: it ends with Friday 03-13 now, here and in the other process.
  auto changed = admin.send("PUT", "/api/v1/calendars/cn/years/2026", year_2026(R"(,"2026-03-10..2026-03-11")"));
  INFO(changed.body);
  REQUIRE(changed.status == 200);
  CHECK(changed.json().at("recomputed_petitions").as_int64() == 1);
  CHECK(changed.json().at("calendar").at("edited_years").at(0).at("recomputed").as_bool());
  CHECK(due_of(operator_, id) == "2026-03-14T00:00:00+08:00");
  CHECK(due_of(elsewhere, id) == "2026-03-14T00:00:00+08:00");
  CHECK(lists_rest_day(operator_, "2026-03-10"));
  CHECK(eventually([&] { return lists_rest_day(elsewhere, "2026-03-11"); }, 10s));
  CHECK(std::string(db.exec(points).text(0, 0)) != points_before);
  auto petition = operator_.get("/api/v1/petitions/" + std::to_string(id)).json();
  CHECK(petition.at("version").to_number<std::int64_t>() == version + 1);
  auto events = operator_.get("/api/v1/petitions/" + std::to_string(id) + "/events").json().at("events").as_array();
  REQUIRE(!events.empty());
  CHECK(events.back().at("action").as_string() == "deadline_recomputed");
  CHECK(events.back().at("fields").at("due_before").as_string() == "2026-03-12T00:00:00+08:00");
  CHECK(events.back().at("fields").at("due_at").as_string() == "2026-03-14T00:00:00+08:00");
  // A process started now reads the edited year from the database.
  {
    PetitiondProcess later({"--database-url", org.db.url(), "--scheduler-interval", "0"});
    CHECK(lists_rest_day(Session(later.port(), "operator", fixture_password), "2026-03-10"));
  }

  // Set back as shipped: back to 03-11, escalation points too.
  auto restored = admin.send("PUT", "/api/v1/calendars/cn/years/2026", year_2026());
  REQUIRE(restored.status == 200);
  CHECK(restored.json().at("recomputed_petitions").as_int64() == 1);
  CHECK(due_of(operator_, id) == "2026-03-12T00:00:00+08:00");
  CHECK(std::string(db.exec(points).text(0, 0)) == points_before);
  CHECK(db.exec("SELECT count(*) FROM audit_log WHERE action = 'calendar.changed' AND target_id = 'cn/2026'")
            .integer(0, 0) == 2);
}

TEST_CASE("running deadlines left unrecomputed by a process that stopped are recomputed by the next one to start") {
  OrgFixture org;
  std::int64_t id = 0;
  {
    TestServer server(org, {"--scheduler-interval", "0"});
    server.clock().set(workflow::at_local(*workflow::parse_date("2026-03-02"), std::chrono::hours(9)));
    auto filed = Session(server.port(), "operator", fixture_password).send("POST", "/api/v1/petitions", petition_body);
    REQUIRE(filed.status == 201);
    id = filed.json().at("id").to_number<std::int64_t>();
  }
  // The change committed, then its process died before the deadlines followed (its lease ran out).
  pg::BlockingConnection db(org.db.url());
  db.exec(
      "INSERT INTO calendar_years (calendar, year, rest_days, working_days, changed_at, changed_by, "
      "recompute_lease_until)"
      " VALUES ('cn', 2026, '{2026-03-17}', '{}', now(), 'admin', now() - interval '1 minute')");
  PetitiondProcess next({"--database-url", org.db.url()});
  Session operator_(next.port(), "operator", fixture_password);
  CHECK(eventually([&] { return due_of(operator_, id) == "2026-03-19T00:00:00+08:00"; }, 20s));
  CHECK(eventually([&] { return db.exec("SELECT recomputed_revision = revision FROM calendar_years").boolean(0, 0); },
                   10s));
}

TEST_CASE("a deadline computed on calendars changed meanwhile by another process is computed again on the new ones") {
  OrgFixture org;
  TestServer server(org);
  server.clock().set(workflow::at_local(*workflow::parse_date("2026-03-02"), std::chrono::hours(9)));
  Session operator_(server.port(), "operator", fixture_password);
  const auto id = dispatched_to_v1(operator_);
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";

  // Another process's change (03-10 and 03-11 made rest days) whose NOTIFY has not arrived: this process
  // still holds the calendars as shipped.
  pg::BlockingConnection db(org.db.url());
  db.exec(
      "INSERT INTO calendar_years (calendar, year, rest_days, working_days, changed_at, changed_by)"
      " SELECT 'cn', 2026, ARRAY(SELECT d::date FROM (VALUES ('2026-01-01', '2026-01-03'), ('2026-02-15', "
      "'2026-02-23'),"
      "  ('2026-04-04', '2026-04-06'), ('2026-05-01', '2026-05-05'), ('2026-06-19', '2026-06-21'),"
      "  ('2026-09-25', '2026-09-27'), ('2026-10-01', '2026-10-07'), ('2026-03-10', '2026-03-11')) AS r(first, last),"
      "  generate_series(first::date, last::date, interval '1 day') AS d ORDER BY 1),"
      " ARRAY['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']::date[], now(), "
      "'elsewhere'");
  CHECK_FALSE(lists_rest_day(operator_, "2026-03-10"));

  // Signed for now: 7 working days on the new calendars, to the end of Friday 03-13 (03-11 on the old ones).
  auto signed_for =
      Session(server.port(), "v1.handler", fixture_password).send("POST", actions + "sign_for", R"({"version":3})");
  REQUIRE(signed_for.status == 200);
  CHECK(due_of(operator_, id) == "2026-03-14T00:00:00+08:00");
  CHECK(lists_rest_day(operator_, "2026-03-10"));
  CHECK(db.exec("SELECT count(*) FROM petition_clocks WHERE petition_id = " + std::to_string(id) +
                " AND deadline = '2026-03-14T00:00:00+08:00'")
            .integer(0, 0) == 1);
}
