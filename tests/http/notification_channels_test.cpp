// Notifications by e-mail (a real SMTP server with STARTTLS and authentication), who hears what
// (preferences, quiet hours, consent, "call, don't text"), the managers' daily digest, templates an admin
// edits and previews, and a dispatcher killed in the middle of a batch.
#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>
#include <set>
#include <thread>

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

HttpReply file(Session& op, const std::string& petitioner) {
  return op.send("POST", "/api/v1/petitions",
                 R"({"channel":"hotline","type":"help","category":"other","subject":"轮椅维修","content":"轮椅坏了。",)"
                 R"("petitioner":)" +
                     petitioner + "}");
}

std::int64_t filed_id(Session& op, const std::string& petitioner) {
  auto filed = file(op, petitioner);
  REQUIRE(filed.status == 201);
  return filed.json().at("id").to_number<std::int64_t>();
}

std::string deliveries_of(pg::BlockingConnection& db, std::int64_t petition) {
  return std::string(
      db.exec("SELECT coalesce(string_agg(d.channel || ':' || d.recipient, ',' ORDER BY d.id), '')"
              " FROM notification_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.petition_id = " +
              std::to_string(petition))
          .text(0, 0));
}

// The local time (UTC+8) `offset` from now, as HH:MM.
std::string local_clock(std::chrono::minutes offset) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + 8h + offset);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[8];
  std::strftime(text, sizeof text, "%H:%M", &utc);
  return text;
}

}  // namespace

TEST_CASE("e-mail goes over SMTP with STARTTLS and authentication, to a server whose certificate is trusted") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  SmtpStandIn smtp("petitiond", "smtp-secret-1");
  pg::BlockingConnection db(org.db.url());
  // First a server certificate nobody vouched for: refused, retried later.
  set_setting(db, "smtp", smtp.settings(false, "smtp-secret-1"));
  TestServer server(org, {"--notify-interval", "100"});
  Session op(server.port(), "operator", fixture_password);
  const auto id =
      filed_id(op, R"({"name":"Sun Ba","email":"sun.ba@example.cn","preferred_channel":"email","language":"en"})");
  const auto email = "SELECT %s FROM notification_deliveries WHERE channel = 'email'";
  auto column = [&](const std::string& what) {
    auto sql = std::string(email);
    return sql.replace(sql.find("%s"), 2, what);
  };
  REQUIRE(eventually([&] { return count(db, column("count(*) FILTER (WHERE last_error IS NOT NULL)")) == 1; }));
  CAPTURE(db.exec(column("last_error")).text(0, 0));
  CHECK(std::string(db.exec(column("last_error")).text(0, 0)).find("SMTP") != std::string::npos);
  CHECK(smtp.received().empty());

  // A wrong password: refused by the server.
  set_setting(db, "smtp", smtp.settings(true, "not-the-password"));
  db.exec("UPDATE notification_deliveries SET next_attempt_at = now(), last_error = NULL WHERE channel = 'email'");
  REQUIRE(eventually([&] { return count(db, column("count(*) FILTER (WHERE last_error IS NOT NULL)")) == 1; }));
  CHECK(std::string(db.exec(column("last_error")).text(0, 0)).find("535") != std::string::npos);
  CHECK(smtp.received().empty());

  // The CA and the password right: delivered, once, as a mail reader sees it.
  set_setting(db, "smtp", smtp.settings(true, "smtp-secret-1"));
  db.exec("UPDATE notification_deliveries SET next_attempt_at = now() WHERE channel = 'email'");
  REQUIRE(eventually([&] { return count(db, column("count(*) FILTER (WHERE state = 'sent')")) == 1; }));
  const auto mail = smtp.received();
  REQUIRE(mail.size() == 1);
  const auto& m = mail[0];
  CHECK(m.at("tls").as_bool());
  CHECK(m.at("login").as_string() == "petitiond");
  CHECK(m.at("rcpt_tos").as_array() == json::array{"sun.ba@example.cn"});
  CHECK(m.at("mail_from").as_string() == "12385@qs.example.cn");
  CHECK(m.at("from").as_string() == "12385 残疾人服务热线 <12385@qs.example.cn>");
  CHECK(m.at("subject").as_string() == "[12385] Petition registered");
  CHECK(m.at("charset").as_string() == "utf-8");
  const auto tracking =
      std::string(db.exec("SELECT tracking_code FROM petitions WHERE id = " + std::to_string(id)).text(0, 0));
  const std::string body(m.at("body").as_string());
  CHECK(body.find("Your petition is registered as " + tracking) != std::string::npos);
  CHECK(std::string(m.at("message_id").as_string()).find("petitiond-") != std::string::npos);
  CHECK(count(db, column("attempts")) == 3);
}

TEST_CASE("managers get a daily e-mail digest of what is overdue and escalated in their own subtree, once a day") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  SmtpStandIn smtp("petitiond", "smtp-secret-2");
  pg::BlockingConnection db(org.db.url());
  set_setting(db, "smtp", smtp.settings(true, "smtp-secret-2"));
  set_setting(db, "digest", {{"hour", 99}});  // none yet
  TestServer server(org, {"--notify-interval", "100"});
  for (const auto& [login, address] :
       {std::pair{"t1.manager", "t1.manager@qs.example.cn"}, {"t2.manager", "t2.manager@qs.example.cn"}}) {
    Session manager(server.port(), login, fixture_password);
    auto set = manager.send("PUT", "/api/v1/me/notification-preferences",
                            R"({"email":")" + std::string(address) + R"(","channels":["in_app","email"]})");
    REQUIRE(set.status == 200);
  }
  Session op(server.port(), "operator", fixture_password);
  const auto id = filed_id(op, R"({"name":"周十","phone":"13912345690"})");
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  REQUIRE(op.send("POST", actions + "accept", R"({"version":1})").status == 200);
  REQUIRE(op.send("POST", actions + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);
  Session handler(server.port(), "v1.handler", fixture_password);
  REQUIRE(handler.send("POST", actions + "sign_for", R"({"version":3})").status == 200);
  // A month on the village is late: its town supervises (督办). The digest is then made, once.
  server.clock().advance(24h * 30);
  REQUIRE(eventually(
      [&] { return count(db, "SELECT count(*) FROM report_facts WHERE measure = 'escalated_to_town'") == 1; }));
  set_setting(db, "digest", {{"hour", 0}});
  auto digests = [&] {
    std::vector<json::object> out;
    for (const auto& m : smtp.received())
      if (std::string(m.at("subject").as_string()).find("每日超期与升级摘要") != std::string::npos) out.push_back(m);
    return out;
  };
  REQUIRE(eventually([&] { return digests().size() == 2; }, 15s));
  std::this_thread::sleep_for(1s);
  CHECK(digests().size() == 2);
  CHECK(count(db, "SELECT count(*) FROM digest_days") == 1);

  const auto tracking =
      std::string(db.exec("SELECT tracking_code FROM petitions WHERE id = " + std::to_string(id)).text(0, 0));
  std::map<std::string, json::object> by_recipient;
  for (const auto& m : digests()) by_recipient[std::string(m.at("rcpt_tos").as_array()[0].as_string())] = m;
  const auto& t1 = by_recipient.at("t1.manager@qs.example.cn");
  CHECK(std::string(t1.at("subject").as_string()).find("每日超期与升级摘要") != std::string::npos);
  const std::string t1_body(t1.at("body").as_string());
  CAPTURE(t1_body);
  CHECK(t1_body.find("超期未办结信访事项 1 件") != std::string::npos);
  CHECK(t1_body.find("督办、升级 1 件次") != std::string::npos);
  CHECK(t1_body.find(tracking) != std::string::npos);
  const std::string t2_body(by_recipient.at("t2.manager@qs.example.cn").at("body").as_string());
  CHECK(t2_body.find("超期未办结信访事项 0 件") != std::string::npos);
  CHECK(t2_body.find(tracking) == std::string::npos);
}

TEST_CASE("staff choose their channels and quiet hours, and urgent messages go by SMS and through quiet hours") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  TestServer server(org, {"--notify-interval", "100"});
  Session handler(server.port(), "v1.handler", fixture_password);
  const auto from = local_clock(-60min), until = local_clock(60min);
  auto set = handler.send("PUT", "/api/v1/me/notification-preferences",
                          R"({"email":"v1@qs.example.cn","channels":["in_app","email"],"quiet_hours":{"from":")" +
                              from + R"(","until":")" + until + R"("}})");
  REQUIRE(set.status == 200);
  auto shown = handler.get("/api/v1/me/notification-preferences").json();
  CHECK(shown.at("email").as_string() == "v1@qs.example.cn");
  CHECK(shown.at("channels").as_array() == json::array{"in_app", "email"});
  CHECK(shown.at("quiet_hours").at("from").as_string() == from);
  CHECK(shown.at("quiet_hours").at("until").as_string() == until);

  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"quiet_hours":{"from":"25:00","until":"07:00"}})", "quiet_hours.from"},
           {R"({"quiet_hours":{"from":"07:00","until":"07:00"}})", "quiet_hours"},
           {R"({"channels":["fax"]})", "channels"},
           {R"({"email":"not an address"})", "email"},
           {R"({"language":"fr"})", "language"},
           {R"({"colour":"blue"})", "colour"}}) {
    CAPTURE(body);
    auto refused = handler.send("PUT", "/api/v1/me/notification-preferences", body);
    CHECK(refused.status == 422);
    CHECK(refused.json().at("error").at("field").as_string() == field);
  }

  // A new order (not urgent): in the app at once; by e-mail when the quiet hours end; not by SMS.
  Session op(server.port(), "operator", fixture_password);
  const auto id = filed_id(op, R"({"name":"吴十一","phone":"13912345691"})");
  const auto actions = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  REQUIRE(op.send("POST", actions + "accept", R"({"version":1})").status == 200);
  REQUIRE(op.send("POST", actions + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);
  const auto mine = " FROM notification_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.user_id = " +
                    std::to_string(org.user_ids.at("v1.handler"));
  REQUIRE(eventually(
      [&] { return count(db, "SELECT count(*)" + mine + " AND o.topic = 'dispatch' AND d.state = 'sent'") == 1; }));
  CHECK(
      db.exec("SELECT string_agg(d.channel, ',' ORDER BY d.channel)" + mine + " AND o.topic = 'dispatch'").text(0, 0) ==
      std::string("email,in_app"));
  CHECK(count(db, "SELECT extract(epoch FROM d.next_attempt_at - now())::int" + mine +
                      " AND o.topic = 'dispatch' AND d.channel = 'email'") >= 55 * 60);
  CHECK(count(db, "SELECT d.attempts" + mine + " AND o.topic = 'dispatch' AND d.channel = 'email'") == 0);

  // An overdue reminder (urgent): e-mail at once, and SMS although the handler chose none. Neither channel is
  // set up here, so both wait, due now and unattempted, for an admin to set them up.
  db.exec(
      "INSERT INTO outbox (petition_id, audience, topic, payload) VALUES ($1, 'handlers', 'reminder',"
      " '{\"clock\":\"sign_for\"}')",
      {std::to_string(id)});
  REQUIRE(eventually([&] {
    return count(db, "SELECT count(*)" + mine +
                         " AND o.topic = 'reminder' AND d.channel IN ('email', 'sms')"
                         " AND d.next_attempt_at <= now()") == 2;
  }));
  CHECK(count(db, "SELECT count(*)" + mine +
                      " AND o.topic = 'reminder' AND d.channel IN ('email', 'sms') AND d.attempts > 0") == 0);
  CHECK(db.exec("SELECT d.address" + mine + " AND o.topic = 'reminder' AND d.channel = 'sms'").text(0, 0) ==
        std::string("13900000006"));
}

TEST_CASE(
    "petitioners hear on the channel they chose, nothing without consent, and a call instead of text when asked") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn gateway;
  pg::BlockingConnection db(org.db.url());
  set_setting(db, "sms.gateway", {{"url", gateway.url("/sms")}});
  TestServer server(org, {"--notify-interval", "100"});
  Session op(server.port(), "operator", fixture_password);
  const auto texted = filed_id(op, R"({"name":"郑一","phone":"13912345681"})");
  const auto called = filed_id(op, R"({"name":"郑二","phone":"13912345682","preferred_channel":"phone"})");
  const auto refused = filed_id(op, R"({"name":"郑三","phone":"13912345683","contact_consent":false})");
  const auto quiet = filed_id(op, R"({"name":"郑四","phone":"13912345684","preferred_channel":"none"})");
  const auto landline = filed_id(op, R"({"name":"郑六","phone":"028-62000001"})");
  const auto mailed_without_smtp =
      filed_id(op, R"({"name":"郑五","email":"zheng5@example.cn","preferred_channel":"email"})");
  auto anonymous = op.send(
      "POST", "/api/v1/petitions",
      R"({"channel":"hotline","type":"help","category":"other","subject":"匿名","content":"匿名反映。","anonymous":true,"petitioner":{}})");
  REQUIRE(anonymous.status == 201);
  const auto nobody = anonymous.json().at("id").to_number<std::int64_t>();
  REQUIRE(eventually([&] { return count(db, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 0; }));
  REQUIRE(eventually([&] { return gateway.received().size() == 1; }));
  CHECK(deliveries_of(db, texted) ==
        "sms:petitioner:" +
            std::to_string(count(db, "SELECT petitioner_id FROM petitions WHERE id = " + std::to_string(texted))));
  CHECK(deliveries_of(db, called).empty());
  CHECK(deliveries_of(db, refused).empty());
  CHECK(deliveries_of(db, quiet).empty());
  CHECK(deliveries_of(db, nobody).empty());
  CHECK(deliveries_of(db, mailed_without_smtp).starts_with("email:"));
  // A landline cannot take a text: the delivery is given up at once, with the reason, and never sent.
  const auto given_up =
      "SELECT d.state || ':' || d.attempts || ':' || d.last_error FROM notification_deliveries d"
      " JOIN outbox o ON o.id = d.outbox_id WHERE o.petition_id = " +
      std::to_string(landline);
  REQUIRE(
      eventually([&] { return db.exec(given_up).rows() == 1 && db.exec(given_up).text(0, 0).starts_with("dead"); }));
  CHECK(std::string(db.exec(given_up).text(0, 0)) ==
        "dead:1:the number cannot receive text messages (not a mobile number)");
  std::this_thread::sleep_for(300ms);
  CHECK(gateway.received().size() == 1);

  // The operator's list of petitions to call shows who must be called rather than texted.
  auto list = op.get("/api/v1/petitions?limit=50").json();
  std::map<std::int64_t, json::object> contact;
  for (const auto& item : list.at("items").as_array())
    contact[item.at("id").to_number<std::int64_t>()] = item.at("contact").as_object();
  CHECK(contact.at(called).at("call_dont_text").as_bool());
  CHECK(contact.at(called).at("preferred_channel").as_string() == "phone");
  CHECK_FALSE(contact.at(texted).at("call_dont_text").as_bool());
  CHECK_FALSE(contact.at(refused).at("consent").as_bool());
  auto detail = op.get("/api/v1/petitions/" + std::to_string(mailed_without_smtp)).json();
  CHECK(detail.at("petitioner").at("email").as_string() == "z*****@example.cn");

  for (const auto& [petitioner, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"name":"错","preferred_channel":"email"})", "petitioner.preferred_channel"},
           {R"({"name":"错","preferred_channel":"fax"})", "petitioner.preferred_channel"},
           {R"({"name":"错","email":"nope"})", "petitioner.email"},
           {R"({"name":"错","contact_consent":"yes"})", "petitioner.contact_consent"}}) {
    CAPTURE(petitioner);
    auto bad = file(op, petitioner);
    CHECK(bad.status == 422);
    CHECK(bad.json().at("error").at("field").as_string() == field);
  }
}

TEST_CASE("templates are a file an admin edits, read again when it changes, and previewed before saving") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn gateway;
  pg::BlockingConnection db(org.db.url());
  set_setting(db, "sms.gateway", {{"url", gateway.url("/sms")}});
  ScratchDir dir("templates");
  const auto templates = dir.path() / "messages.yaml";
  std::ofstream(templates)
      << "registered:\n  petitioner:\n    zh: \"【12385】已收到您的事项，编号{tracking_code}。\"\n";
  TestServer server(org, {"--notify-interval", "100", "--message-templates", templates.string()});
  Session op(server.port(), "operator", fixture_password);
  filed_id(op, R"({"name":"王一","phone":"13912345685"})");
  REQUIRE(eventually([&] { return gateway.received().size() == 1; }));
  auto text = [&](std::size_t i) {
    auto body = json::parse(std::string(gateway.received().at(i).at("body").as_string()));
    return std::string(body.at("text").as_string());
  };
  CHECK(text(0).starts_with("【12385】已收到您的事项，编号"));

  std::ofstream(templates) << "registered:\n  petitioner:\n    zh: \"【12385】登记成功：{tracking_code}\"\n";
  std::filesystem::last_write_time(templates, std::filesystem::last_write_time(templates) + 2s);
  filed_id(op, R"({"name":"王二","phone":"13912345686"})");
  REQUIRE(eventually([&] { return gateway.received().size() == 2; }));
  CHECK(text(1).starts_with("【12385】登记成功："));

  // A file that no longer parses keeps the texts in force.
  std::ofstream(templates) << "registered:\n  petitioner:\n    zh: \"{no_such_value}\"\n";
  std::filesystem::last_write_time(templates, std::filesystem::last_write_time(templates) + 4s);
  filed_id(op, R"({"name":"王三","phone":"13912345687"})");
  REQUIRE(eventually([&] { return gateway.received().size() == 3; }));
  CHECK(text(2).starts_with("【12385】登记成功："));

  Session admin(server.port(), "admin", fixture_password);
  auto listed = admin.get("/api/v1/notifications/templates").json();
  CHECK(listed.at("file").as_string() == templates.string());
  CHECK(listed.at("topics").at("reminder").at("urgent").as_bool());
  CHECK(listed.at("topics").at("registered").at("petitioner").at("zh").as_string() ==
        "【12385】登记成功：{tracking_code}");

  auto preview = admin.send("POST", "/api/v1/notifications/preview",
                            R"({"topic":"supervised","readers":"staff","language":"en"})");
  REQUIRE(preview.status == 200);
  CHECK(preview.json().at("subject").as_string() == "[12385] Supervised");
  CHECK(std::string(preview.json().at("text").as_string()).find("20261128-0A1B2C") != std::string::npos);
  CHECK(std::string(preview.json().at("text").as_string()).find("Handling limit") !=
        std::string::npos);  // the clock's label
  auto draft = admin.send(
      "POST", "/api/v1/notifications/preview",
      R"({"topic":"accept","values":{"tracking_code":"X-1"},"draft":"accept:\n  petitioner:\n    zh: \"受理：{tracking_code}\"\n"})");
  REQUIRE(draft.status == 200);
  CHECK(draft.json().at("text").as_string() == "受理：X-1");
  auto typo = admin.send("POST", "/api/v1/notifications/preview",
                         R"({"topic":"accept","draft":"accept:\n  petitioner:\n    zh: \"受理：{trackng_code}\"\n"})");
  CHECK(typo.status == 422);
  CHECK(typo.json().at("error").at("field").as_string() == "draft");
  CHECK(std::string(typo.json().at("error").at("message").as_string()).find("{trackng_code}") != std::string::npos);
  CHECK(admin.send("POST", "/api/v1/notifications/preview", R"({"topic":"no_such_topic"})").status == 422);
  CHECK(op.send("POST", "/api/v1/notifications/preview", R"({"topic":"accept"})").status == 403);
}

TEST_CASE("admins register webhooks, whose secret is shown once") {
  OrgFixture org;
  TestServer server(org, {"--notify-interval", "0"});
  Session admin(server.port(), "admin", fixture_password);
  auto made =
      admin.send("POST", "/api/v1/webhooks",
                 R"({"name":"市12345平台","url":"https://hotline.example.cn/hook","topics":["registered","reply"]})");
  REQUIRE(made.status == 201);
  const auto id = made.json().at("id").to_number<std::int64_t>();
  CHECK(made.json().at("secret").as_string().size() >= 32);
  auto listed = admin.get("/api/v1/webhooks").json().at("webhooks").as_array();
  REQUIRE(listed.size() == 1);
  CHECK_FALSE(listed[0].as_object().contains("secret"));
  CHECK(listed[0].at("topics").as_array() == json::array{"registered", "reply"});
  auto changed = admin.send("PATCH", "/api/v1/webhooks/" + std::to_string(id), R"({"active":false,"topics":[]})");
  REQUIRE(changed.status == 200);
  CHECK_FALSE(changed.json().at("active").as_bool());
  CHECK(admin.send("POST", "/api/v1/webhooks", R"({"name":"x","url":"ftp://example.cn"})")
            .json()
            .at("error")
            .at("field")
            .as_string() == "url");
  CHECK(admin.send("POST", "/api/v1/webhooks", R"({"name":"x","url":"https://e.cn","topics":["nope"]})").status == 422);
  CHECK(admin.send("DELETE", "/api/v1/webhooks/" + std::to_string(id), "").status == 204);
  CHECK(admin.send("DELETE", "/api/v1/webhooks/" + std::to_string(id), "").status == 404);
  Session op(server.port(), "operator", fixture_password);
  CHECK(op.get("/api/v1/webhooks").status == 403);
}

TEST_CASE("a dispatcher killed in the middle of a batch loses nothing, and repeats carry the same idempotency key") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn gateway;
  gateway.answer(200, 0.15);  // a slow gateway: the batch takes seconds
  pg::BlockingConnection db(org.db.url());
  set_setting(db, "sms.gateway", {{"url", gateway.url("/sms")}});
  constexpr int messages = 30;
  {
    TestServer intake(org, {"--notify-interval", "0"});
    Session op(intake.port(), "operator", fixture_password);
    for (int i = 0; i < messages; ++i)
      filed_id(op, R"({"name":"钱)" + std::to_string(i) + R"(","phone":"1391234)" + std::to_string(5000 + i) + "\"}");
  }
  const std::vector<std::string> args{"--database-url", org.db.url(), "--notify-interval",    "50",
                                      "--notify-lease", "3",          "--scheduler-interval", "0"};
  {
    PetitiondProcess first(args);
    REQUIRE(eventually([&] { return gateway.received().size() >= 5; }, 20s));
    CHECK(first.stop(SIGKILL) == 128 + SIGKILL);
  }
  const auto sent_before = gateway.received().size();
  CHECK(sent_before < messages);
  CHECK(count(db, "SELECT count(*) FROM notification_deliveries WHERE state = 'sent'") == 0);  // none recorded

  PetitiondProcess second(args);
  REQUIRE(eventually(
      [&] { return count(db, "SELECT count(*) FROM notification_deliveries WHERE state = 'sent'") == messages; }, 40s));
  std::map<std::string, std::vector<std::string>> bodies_by_key;
  for (const auto& request : gateway.received())
    bodies_by_key[std::string(request.at("headers").at("Idempotency-Key").as_string())].push_back(
        std::string(request.at("body").as_string()));
  CHECK(bodies_by_key.size() == static_cast<std::size_t>(messages));  // every message delivered
  std::size_t repeats = 0;
  for (const auto& [key, bodies] : bodies_by_key) {
    CAPTURE(key);
    CHECK(std::set<std::string>(bodies.begin(), bodies.end()).size() == 1);  // a repeat is the same message
    repeats += bodies.size() - 1;
  }
  CHECK(repeats >= 1);                // what the first process sent but never recorded went again
  CHECK(repeats <= sent_before + 1);  // and nothing else
  CHECK(count(db, "SELECT count(*) FROM notification_deliveries WHERE attempts = 2") == messages);
}
