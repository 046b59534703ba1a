// Configuration without a rebuild (issue 20): an admin installs a workflow version, activates it, and every
// process follows at once; a broken upload changes nothing; routing tables and message texts are versioned;
// settings are checked, audited, secrets never shown; the telephone token rotates with an overlap.
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <thread>

#include "schemas/embedded.hpp"
#include "server/pg/blocking_connection.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;

namespace {

const std::string help_petition =
    R"({"channel":"hotline","type":"help","category":"other","subject":"无障碍坡道损坏",)"
    R"("content":"村委会门前坡道损坏，轮椅无法通行。","petitioner":{"name":"钱七","phone":"13911112222","unit":"V1"}})";

std::string shipped_v2() {
  for (const auto& file : schemas::workflows())
    if (file.name.ends_with("petition-v2.yaml")) return std::string(file.content);
  throw std::runtime_error("no petition-v2.yaml");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not in the definition: " + from);
  return text.replace(at, from.size(), to);
}

// Version 100: the acceptance notice's 15 days raised to 20, and managers told at half of it.
std::string raised_limit_definition() {
  auto yaml = replaced(shipped_v2(), "\nversion: 2\n", "\nversion: 100\n");
  yaml = replaced(yaml, "      default: {calendar_days: 15}\n    warn_at: [80]\n  - name: emergency",
                  "      default: {calendar_days: 20}\n    warn_at: [80]\n  - name: emergency");
  return replaced(yaml, "escalations:\n",
                  "escalations:\n  - clock: acceptance_notice\n    when: {warning: 50}\n"
                  "    actions: [{notify: managers}]\n");
}

HttpReply upload(const Session& admin, const std::string& path, const std::string& yaml) {
  return admin.request("POST", path, yaml, {{"Content-Type", "application/yaml"}});
}

std::int64_t file(const Session& who) {
  auto filed = who.send("POST", "/api/v1/petitions", help_petition);
  REQUIRE(filed.status == 201);
  return filed.json().at("id").to_number<std::int64_t>();
}

boost::json::object petition(const Session& who, std::int64_t id) {
  auto reply = who.get("/api/v1/petitions/" + std::to_string(id));
  REQUIRE(reply.status == 200);
  return reply.json().as_object();
}

int workflow_version(const Session& who, std::int64_t id) {
  return petition(who, id).at("workflow").at("version").to_number<int>();
}

std::int64_t count(pg::BlockingConnection& db, const std::string& sql, const std::vector<std::string>& params = {}) {
  return std::stoll(std::string(db.exec(sql, params).text(0, 0)));
}

int cti(unsigned short port, const std::string& token, const std::string& call_id) {
  return http_request(
             port, "POST", "/api/v1/cti/" + token,
             R"({"event":"newCall","direction":"in","callId":")" + call_id + R"(","from":"13800001111","to":"12385"})",
             {{"Content-Type", "application/json"}})
      .status;
}

}  // namespace

TEST_CASE(
    "an admin raises a limit and adds an escalation rule: new petitions follow, running ones keep theirs, "
    "and a second process follows at once") {
  OrgFixture org;
  TestServer one(org), two(org);
  pg::BlockingConnection db(org.db.url());
  Session admin(one.port(), "admin", fixture_password), op_one(one.port(), "operator", fixture_password),
      op_two(two.port(), "operator", fixture_password);
  for (int i = 0; i < 500 && !two.application().hears_config(); ++i) std::this_thread::sleep_for(10ms);

  const auto running = file(op_one);
  CHECK(workflow_version(op_one, running) == 2);

  auto installed = upload(admin, "/api/v1/workflows", raised_limit_definition());
  REQUIRE(installed.status == 201);
  const auto detail = installed.json().as_object();
  CHECK(detail.at("version").to_number<int>() == 100);
  CHECK(detail.at("active").as_bool() == false);
  CHECK(detail.at("compared_with").to_number<int>() == 2);
  CHECK(std::string(detail.at("dot").as_string()).find("digraph") != std::string::npos);
  bool limit_seen = false, rule_seen = false;
  for (const auto& change : detail.at("diff").as_array()) {
    const auto& c = change.as_object();
    limit_seen |= c.at("what") == "limit" && c.at("name") == "acceptance_notice" &&
                  c.at("before") == "15 calendar_days" && c.at("after") == "20 calendar_days";
    rule_seen |=
        c.at("what") == "escalation" && c.at("change") == "added" && c.at("name") == "acceptance_notice warning 50%";
  }
  CHECK(limit_seen);
  CHECK(rule_seen);
  CHECK(detail.at("diff").as_array().size() == 2);  // and nothing else

  // The other process knows the new version at once, to show it; installed is not active: a new petition
  // still starts under version 2.
  Session admin_two(two.port(), "admin", fixture_password);
  CHECK(eventually([&] { return admin_two.get("/api/v1/workflows/petition/100").status == 200; }));
  CHECK(workflow_version(op_two, file(op_two)) == 2);

  auto activated = admin.send("POST", "/api/v1/workflows/petition/100/activate", "{}");
  REQUIRE(activated.status == 200);
  CHECK(activated.json().at("previous_version").to_number<int>() == 2);
  // The other process switched without being told by a request of its own.
  CHECK(eventually([&] { return workflow_version(op_two, file(op_two)) == 100; }));
  const auto fresh = file(op_one);
  CHECK(workflow_version(op_one, fresh) == 100);
  CHECK(workflow_version(op_one, running) == 2);

  // The new petition's acceptance notice runs 20 days with three escalation points; the running one's 15 with two.
  const auto days = [&](std::int64_t id) {
    return count(db, "SELECT amount FROM petition_clocks WHERE petition_id = $1 AND name = 'acceptance_notice'",
                 {std::to_string(id)});
  };
  CHECK(days(fresh) == 20);
  CHECK(days(running) == 15);
  const auto points = [&](std::int64_t id) {
    return count(db, "SELECT count(*) FROM escalation_points WHERE petition_id = $1 AND clock = 'acceptance_notice'",
                 {std::to_string(id)});
  };
  CHECK(points(fresh) == 3);
  CHECK(points(running) == 2);

  // Each step is audited, and the listing says what is active.
  CHECK(count(db,
              "SELECT count(*) FROM audit_log WHERE action IN ('workflow.installed', 'workflow.activated')"
              " AND target_id = 'petition/100'") == 2);
  auto listed = admin.get("/api/v1/workflows");
  REQUIRE(listed.status == 200);
  CHECK(listed.json().at("workflows").at(0).at("active_version").to_number<int>() == 100);

  // The previous version can be put back, and the running petitions of 2 moved to 100 (same states).
  REQUIRE(admin.send("POST", "/api/v1/workflows/petition/2/activate", "{}").status == 200);
  CHECK(eventually([&] { return workflow_version(op_two, file(op_two)) == 2; }));
  auto migrated = admin.send("POST", "/api/v1/workflows/petition/100/activate",
                             R"({"migration":{"from_version":2,"states":{"registered":"registered"}}})");
  REQUIRE(migrated.status == 200);
  CHECK(migrated.json().at("migrated_petitions").to_number<int>() >= 2);
  CHECK(workflow_version(op_one, running) == 100);
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE petition_id = $1 AND action = 'workflow_migrated'",
              {std::to_string(running)}) == 1);
  // The migrated petition goes on under the new version: it can still be accepted.
  auto version = petition(op_one, running).at("version").to_number<int>();
  CHECK(op_one
            .send("POST", "/api/v1/petitions/" + std::to_string(running) + "/actions/accept",
                  R"({"version":)" + std::to_string(version) + "}")
            .status == 200);

  // A mapping to a state the new version lacks is refused, naming the state.
  auto bad_mapping = admin.send("POST", "/api/v1/workflows/petition/2/activate",
                                R"({"migration":{"from_version":100,"states":{"accepted":"nowhere"}}})");
  CHECK(bad_mapping.status == 422);
  CHECK(bad_mapping.json().at("error").at("field") == "migration.states.accepted");
}

TEST_CASE("a broken workflow upload is refused with every problem and its line, and changes nothing") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session admin(server.port(), "admin", fixture_password);
  auto yaml = replaced(raised_limit_definition(), "    to: accepted\n", "    to: nowhere_state\n");
  yaml = replaced(yaml, "default: {calendar_days: 20}", "default: {fortnights: 2}");
  auto refused = upload(admin, "/api/v1/workflows", yaml);
  REQUIRE(refused.status == 422);
  const auto problems = refused.json().at("error").at("problems").as_array();
  CHECK(problems.size() >= 2);
  for (const auto& p : problems) CHECK(p.at("line").to_number<int>() > 0);
  CHECK(count(db, "SELECT count(*) FROM config_versions") == 0);
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'workflow.%'") == 0);

  // Not valid YAML at all; a version number kept for shipped definitions; not YAML by its type.
  auto not_yaml = upload(admin, "/api/v1/workflows", "workflow: petition\nversion: 100\nstates: [\n");
  CHECK(not_yaml.status == 422);
  CHECK(not_yaml.json().at("error").at("problems").at(0).at("line").to_number<int>() >= 3);
  auto reserved = upload(admin, "/api/v1/workflows", replaced(raised_limit_definition(), "version: 100", "version: 3"));
  CHECK(reserved.status == 422);
  CHECK(reserved.json().at("error").at("field") == "version");
  CHECK(admin.send("POST", "/api/v1/workflows", "{}").status == 415);
  CHECK(admin.send("POST", "/api/v1/workflows/petition/7/activate", "{}").status == 404);
  // Only admins.
  Session manager(server.port(), "district.manager", fixture_password);
  CHECK(upload(manager, "/api/v1/workflows", raised_limit_definition()).status == 403);
  CHECK(count(db, "SELECT count(*) FROM config_versions") == 0);
}

TEST_CASE("a definition placed in DATA_DIR/workflows is installed at start, not activated") {
  OrgFixture org;
  ScratchDir data("petitiond-workflow-files");
  std::filesystem::create_directories(data.path() / "workflows");
  {
    std::ofstream out(data.path() / "workflows" / "petition-v100.yaml");
    out << raised_limit_definition();
  }
  PetitiondProcess server({"--database-url", org.db.url(), "--data-dir", data.path().string()});
  Session admin(server.port(), "admin", fixture_password);
  auto listed = admin.get("/api/v1/workflows");
  REQUIRE(listed.status == 200);
  const auto versions = listed.json().at("workflows").at(0).at("versions").as_array();
  REQUIRE(versions.size() == 3);
  CHECK(versions.at(2).at("origin") == "file");
  CHECK(versions.at(2).at("active").as_bool() == false);
  CHECK(listed.json().at("workflows").at(0).at("active_version").to_number<int>() == 2);
  server.stop(SIGTERM);

  // A broken file stops the start, naming the file and the line.
  {
    std::ofstream out(data.path() / "workflows" / "petition-v101.yaml");
    out << replaced(replaced(raised_limit_definition(), "version: 100", "version: 101"), "    to: accepted\n",
                    "    to: nowhere_state\n");
  }
  auto refused = run_petitiond({"--database-url", org.db.url(), "--data-dir", data.path().string(), "--listen",
                                "127.0.0.1:" + std::to_string(free_port())});
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("petition-v101.yaml:") != std::string::npos);
}

TEST_CASE("settings: listed with secrets hidden, each change checked with its field and audited, live at once") {
  OrgFixture org;
  TestServer server(org);
  pg::BlockingConnection db(org.db.url());
  Session admin(server.port(), "admin", fixture_password);

  auto smtp =
      admin.send("PUT", "/api/v1/settings/smtp",
                 R"({"value":{"host":"mail.example.cn","port":587,"from":"12385@example.cn","password":"s3cret!"}})");
  REQUIRE(smtp.status == 200);
  CHECK(smtp.body.find("s3cret") == std::string::npos);
  CHECK(smtp.json().at("secrets_set").at("password").as_bool());
  // Left out, the password stays; the audit row never holds it.
  REQUIRE(admin
              .send("PUT", "/api/v1/settings/smtp",
                    R"({"value":{"host":"mail.example.cn","port":465,"security":"tls","from":"12385@example.cn"}})")
              .status == 200);
  CHECK(std::string(db.exec("SELECT value->>'password' FROM settings WHERE key = 'smtp'").text(0, 0)) == "s3cret!");
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE details::text LIKE '%s3cret%'") == 0);
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action = 'settings.changed' AND target_id = 'smtp'") == 2);

  auto listed = admin.get("/api/v1/settings");
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find("s3cret") == std::string::npos);

  const std::vector<std::tuple<std::string, std::string, std::string>> refused{
      {"smtp", R"({"value":{"host":"x","port":70000,"from":"a@b.cn"}})", "value.port"},
      {"smtp", R"({"value":{"host":"x","from":"nobody"}})", "value.from"},
      {"portal.rate_limit", R"({"value":{"submissions":5,"lookups":0,"per_minutes":60}})", "value.lookups"},
      {"portal.intake_unit", R"({"value":"NOPE"})", "value"},
      {"http.trusted_proxies", R"({"value":["10.0.0.0/8","10.1.2.3/8"]})", "value[1]"},
      {"digest", R"({"value":{"hour":24}})", "value.hour"},
      {"petitions.repeat_window_days", R"({"value":"90"})", "value"},
      {"sms.gateway", R"({"value":{"url":"ftp://x"}})", "value.url"},
      {"cti.token", R"({"value":"short"})", "value"},
      {"oversight.for", R"({"value":["T1","GONE"]})", "value[1]"},
      {"digest", R"({"hour":8})", "hour"},
  };
  for (const auto& [name, body, field] : refused) {
    CAPTURE(name, body);
    auto reply = admin.send("PUT", "/api/v1/settings/" + name, body);
    CHECK(reply.status == 422);
    CHECK(reply.json().at("error").at("field") == boost::json::value(field));
  }
  CHECK(admin.send("PUT", "/api/v1/settings/units.nonsense", R"({"value":1})").status == 404);
  Session manager(server.port(), "district.manager", fixture_password);
  CHECK(manager.get("/api/v1/settings").status == 403);

  // The digest can be turned off; the repeat window changed; both read back.
  REQUIRE(admin.send("PUT", "/api/v1/settings/digest", R"({"value":{"hour":null}})").status == 200);
  auto window = admin.send("PUT", "/api/v1/settings/petitions.repeat_window_days", R"({"value":30})");
  REQUIRE(window.status == 200);
  CHECK(window.json().at("value").to_number<int>() == 30);

  // Trusted proxies: X-Forwarded-For is believed only from them, and only from the right.
  const auto logged_from = [&] {
    return std::string(
        db.exec("SELECT host(address) FROM audit_log WHERE action = 'login.succeeded' ORDER BY id DESC LIMIT 1")
            .text(0, 0));
  };
  const auto login_via_proxy = [&](const std::string& forwarded) {
    return http_request(server.port(), "POST", "/api/v1/auth/login",
                        R"({"login":"operator","password":")" + std::string(fixture_password) + R"("})",
                        {{"Content-Type", "application/json"}, {"X-Forwarded-For", forwarded}})
        .status;
  };
  REQUIRE(login_via_proxy("198.51.100.9, 203.0.113.7") == 200);
  CHECK(logged_from() == "127.0.0.1");
  REQUIRE(
      admin.send("PUT", "/api/v1/settings/http.trusted_proxies", R"({"value":["127.0.0.1","10.0.0.0/8"]})").status ==
      200);
  CHECK(eventually(
      [&] { return login_via_proxy("198.51.100.9, 203.0.113.7, 10.1.2.3") == 200 && logged_from() == "203.0.113.7"; }));
}

TEST_CASE("the CTI token is generated, shown once, and the old one stops after the overlap") {
  OrgFixture org;
  TestServer server(org);
  Session admin(server.port(), "admin", fixture_password);
  CHECK(cti(server.port(), "anything-at-all-here-1234", "c-0") == 422);  // off until a token is set

  const std::string first = "first-token-for-the-pbx-0001";
  REQUIRE(admin.send("PUT", "/api/v1/settings/cti.token", R"({"value":")" + first + R"("})").status == 200);
  CHECK(cti(server.port(), first, "c-1") == 200);
  auto shown = admin.get("/api/v1/settings/cti.token");
  CHECK(shown.body.find(first) == std::string::npos);
  CHECK(shown.json().at("set").as_bool());

  auto rotated = admin.send("POST", "/api/v1/settings/cti.token/rotate", R"({"overlap_minutes":10})");
  REQUIRE(rotated.status == 200);
  const std::string second(rotated.json().at("token").as_string());
  CHECK(second.size() >= 40);
  CHECK(rotated.json().at("path") == boost::json::value("/api/v1/cti/" + second));
  CHECK(!rotated.json().at("previous_valid_until").is_null());
  CHECK(cti(server.port(), second, "c-2") == 200);
  CHECK(cti(server.port(), first, "c-3") == 200);  // the overlap
  server.clock().advance(11min);
  CHECK(cti(server.port(), first, "c-4") == 401);
  CHECK(cti(server.port(), second, "c-5") == 200);
  CHECK(admin.get("/api/v1/settings").body.find(second) == std::string::npos);

  // A test message through a gateway that is not there: the reason, not a failure of the request.
  REQUIRE(admin.send("PUT", "/api/v1/settings/sms.gateway", R"({"value":{"url":"http://127.0.0.1:9/sms"}})").status ==
          200);
  auto tested = admin.send("POST", "/api/v1/settings/sms.gateway/test", R"({"phone":"13800001111"})");
  REQUIRE(tested.status == 200);
  CHECK(tested.json().at("sent").as_bool() == false);
  CHECK(!tested.json().at("error").is_null());
  auto landline = admin.send("POST", "/api/v1/settings/sms.gateway/test", R"({"phone":"028-62000000"})");
  CHECK(landline.status == 422);
  CHECK(landline.json().at("error").at("field") == boost::json::value("phone"));
  CHECK(admin.send("POST", "/api/v1/settings/smtp/test", R"({"to":"ops@example.cn"})").status == 422);  // none set
}

TEST_CASE("routing tables are versioned: checked whole, tried before, activated in every process") {
  OrgFixture org;
  TestServer one(org), two(org);
  pg::BlockingConnection db(org.db.url());
  Session admin(one.port(), "admin", fixture_password), admin_two(two.port(), "admin", fixture_password);
  for (int i = 0; i < 500 && !two.application().hears_config(); ++i) std::this_thread::sleep_for(10ms);
  auto current = admin.get("/api/v1/routing/versions/0");
  REQUIRE(current.status == 200);
  const std::string source(current.json().at("source").as_string());
  REQUIRE(source.find("category: other") != std::string::npos);

  // "other" goes to T2 by a fixed unit; a unit that does not exist is refused with its line.
  const auto other_at = source.find("category: other");
  const auto lead_at = source.find("lead:", other_at);
  const auto line_end = source.find('\n', lead_at);
  auto to_t2 = source.substr(0, lead_at) + "lead: {unit: T2}" + source.substr(line_end);
  auto to_nowhere = source.substr(0, lead_at) + "lead: {unit: NOWHERE}" + source.substr(line_end);
  auto missing = upload(admin, "/api/v1/routing/versions", to_nowhere);
  REQUIRE(missing.status == 422);
  CHECK(missing.json().at("error").at("problems").at(0).at("line").to_number<int>() > 0);
  const auto drop_at = source.find("  - category: other");
  auto dropped = upload(admin, "/api/v1/routing/versions", source.substr(0, drop_at));
  CHECK(dropped.status == 422);  // every category in use keeps a rule
  CHECK(count(db, "SELECT count(*) FROM config_versions") == 0);

  auto installed = upload(admin, "/api/v1/routing/versions", to_t2);
  REQUIRE(installed.status == 201);
  const auto version = installed.json().at("version").to_number<int>();
  CHECK(installed.json().at("diff").as_array().size() == 1);

  // Where would this go? Under the new version, to T2; but a complaint about T2 goes above it.
  auto tried = admin.send("POST", "/api/v1/routing/test",
                          R"({"category":"other","place":"V1","version":)" + std::to_string(version) + "}");
  REQUIRE(tried.status == 200);
  CHECK(tried.json().at("lead") == "T2");
  auto accused = admin.send(
      "POST", "/api/v1/routing/test",
      R"({"category":"other","place":"V1","complained_units":["T2"],"version":)" + std::to_string(version) + "}");
  REQUIRE(accused.status == 200);
  CHECK(accused.json().at("lead") != "T2");
  CHECK(accused.json().at("diverted").as_bool());
  CHECK(admin.send("POST", "/api/v1/routing/test", R"({"category":"no_such"})").status == 422);

  REQUIRE(admin.send("POST", "/api/v1/routing/versions/" + std::to_string(version) + "/activate", "{}").status == 200);
  CHECK(eventually([&] { return admin_two.get("/api/v1/routing").json().at("version").to_number<int>() == version; }));
  auto in_force = admin_two.send("POST", "/api/v1/routing/test", R"({"category":"other","place":"V1"})");
  CHECK(in_force.json().at("lead") == "T2");
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action IN ('routing.installed', 'routing.activated')") == 2);
}

TEST_CASE("message texts saved in the app are versioned, in force at once, and can be put back") {
  OrgFixture org;
  TestServer server(org);
  Session admin(server.port(), "admin", fixture_password);
  const auto preview = [&] {
    auto reply = admin.send("POST", "/api/v1/notifications/preview",
                            R"({"topic":"reminder","readers":"staff","language":"zh"})");
    REQUIRE(reply.status == 200);
    return std::string(reply.json().at("text").as_string());
  };
  const auto shipped = preview();
  auto saved = admin.request("PUT", "/api/v1/notifications/templates",
                             "reminder:\n  staff:\n    zh: \"催办：{tracking_code} 请于 {due_at} 前办结。\"\n"
                             "    en: \"Reminder: {tracking_code} is due {due_at}.\"\n",
                             {{"Content-Type", "application/yaml"}});
  REQUIRE(saved.status == 200);
  CHECK(saved.json().at("version").to_number<int>() == 1);
  CHECK(preview().starts_with("催办：20261128-0A1B2C"));
  auto broken = admin.request("PUT", "/api/v1/notifications/templates", "reminder:\n  staff:\n    zh: \"{nonsense}\"\n",
                              {{"Content-Type", "application/yaml"}});
  CHECK(broken.status == 422);
  CHECK(preview().starts_with("催办："));
  REQUIRE(admin.send("POST", "/api/v1/notifications/templates/versions/0/activate", "{}").status == 200);
  CHECK(preview() == shipped);
  REQUIRE(admin.send("POST", "/api/v1/notifications/templates/versions/1/activate", "{}").status == 200);
  CHECK(preview().starts_with("催办："));
  CHECK(admin.get("/api/v1/notifications/templates/versions").json().at("versions").as_array().size() == 1);
}

TEST_CASE("petitiond settings get and set from the command line, checked as the API checks") {
  OrgFixture org;
  const std::vector<std::string> db{"--database-url", org.db.url()};
  auto args = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), db.begin(), db.end());
    return extra;
  };
  auto set = run_petitiond(args({"settings", "set", "petitions.repeat_window_days", "45"}));
  CHECK(set.exit_code == 0);
  auto got = run_petitiond(args({"settings", "get", "petitions.repeat_window_days"}));
  CHECK(got.exit_code == 0);
  CHECK(got.output.find("\"value\":45") != std::string::npos);
  auto secret = run_petitiond(args({"settings", "set", "cti.token", "-"}), {}, std::chrono::seconds(60),
                              "a-token-from-standard-input-0001\n");
  CHECK(secret.exit_code == 0);
  auto all = run_petitiond(args({"settings", "get"}));
  CHECK(all.exit_code == 0);
  CHECK(all.output.find("a-token-from-standard-input") == std::string::npos);
  auto bad = run_petitiond(args({"settings", "set", "portal.intake_unit", "NOPE"}));
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("NOPE") != std::string::npos);
  CHECK(run_petitiond(args({"settings", "set", "no.such", "1"})).exit_code == 3);
}

TEST_CASE("the configuration exports as one YAML bundle and imports into another installation, checked whole") {
  OrgFixture first_org, second_org;
  TestServer first(first_org), second(second_org);
  Session admin(first.port(), "admin", fixture_password), other(second.port(), "admin", fixture_password);
  REQUIRE(upload(admin, "/api/v1/workflows", raised_limit_definition()).status == 201);
  REQUIRE(admin.send("POST", "/api/v1/workflows/petition/100/activate", "{}").status == 200);
  REQUIRE(admin.send("PUT", "/api/v1/settings/petitions.repeat_window_days", R"({"value":45})").status == 200);
  REQUIRE(admin.send("PUT", "/api/v1/settings/cti.token", R"({"value":"never-leaves-this-server-01"})").status == 200);
  REQUIRE(admin
              .send("PUT", "/api/v1/settings/smtp",
                    R"({"value":{"host":"mail.example.cn","from":"12385@example.cn","password":"hidden-pw"}})")
              .status == 200);
  REQUIRE(
      admin
          .request("PUT", "/api/v1/notifications/templates",
                   "reminder:\n  staff:\n    zh: \"催办：{tracking_code}\"\n    en: \"Reminder: {tracking_code}\"\n",
                   {{"Content-Type", "application/yaml"}})
          .status == 200);

  auto exported = admin.get("/api/v1/configuration");
  REQUIRE(exported.status == 200);
  const auto& bundle = exported.body;
  CHECK(bundle.find("petitiond_configuration: 1") != std::string::npos);
  CHECK(bundle.find("never-leaves-this-server") == std::string::npos);
  CHECK(bundle.find("hidden-pw") == std::string::npos);
  CHECK(bundle.find("version: 100") != std::string::npos);

  // Broken in several places: refused with every problem, and the other installation is unchanged.
  auto broken = bundle;
  broken.replace(broken.find("petitions.repeat_window_days: 45"), 32, "petitions.repeat_window_days: 0 ");
  broken += "nonsense: 1\n";
  auto refused = other.request("POST", "/api/v1/configuration", broken, {{"Content-Type", "application/yaml"}});
  REQUIRE(refused.status == 422);
  CHECK(refused.json().at("error").at("problems").as_array().size() >= 2);
  CHECK(other.get("/api/v1/settings/petitions.repeat_window_days").json().at("value").to_number<int>() == 90);
  CHECK(other.get("/api/v1/workflows").json().at("workflows").at(0).at("active_version").to_number<int>() == 2);

  // Anchors and aliases that stand for 10^8 values are refused before anything walks them.
  std::string bomb = "petitiond_configuration: 1\nsettings:\n  a0: &a0 [1,1,1,1,1,1,1,1,1,1]\n";
  for (int i = 1; i <= 8; ++i) {
    bomb += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ",*a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  const auto started = std::chrono::steady_clock::now();
  auto exploded = other.request("POST", "/api/v1/configuration", bomb, {{"Content-Type", "application/yaml"}});
  CHECK(exploded.status == 422);
  CHECK(exploded.json().at("error").at("field") == "body");
  CHECK(std::chrono::steady_clock::now() - started < 10s);

  auto imported = other.request("POST", "/api/v1/configuration", bundle, {{"Content-Type", "application/yaml"}});
  REQUIRE(imported.status == 200);
  CHECK(other.get("/api/v1/workflows").json().at("workflows").at(0).at("active_version").to_number<int>() == 100);
  CHECK(other.get("/api/v1/settings/petitions.repeat_window_days").json().at("value").to_number<int>() == 45);
  CHECK(other.get("/api/v1/settings/cti.token").json().at("set").as_bool() == false);  // secrets stay behind
  CHECK(other.get("/api/v1/notifications/templates").json().at("version").to_number<int>() == 1);
  Session op(second.port(), "operator", fixture_password);
  auto filed = op.send("POST", "/api/v1/petitions", help_petition);
  REQUIRE(filed.status == 201);
  CHECK(filed.json().at("workflow").at("version").to_number<int>() == 100);

  // Importing the same bundle again changes nothing more.
  auto again = other.request("POST", "/api/v1/configuration", bundle, {{"Content-Type", "application/yaml"}});
  REQUIRE(again.status == 200);
  CHECK(again.json().at("imported").at("workflows_installed").to_number<int>() == 0);
  CHECK(!again.json().at("imported").as_object().contains("templates_version"));
}
