// SMS replies (docs/telephony.md, "SMS replies"): the answer's text message invites a rating by digit; the
// gateway reports what the petitioner texts back, in the shapes real gateways use (a JSON object, Tencent
// Cloud's JSON list, Twilio's form data); an answer on the scale becomes the callback, anything else waits for
// an operator, and a hostile report is refused with the field it broke.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/db_helpers.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/stand_ins.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace json = boost::json;

namespace {

const std::string inbound_token = "sms-inbound-9f8e7d6c5b4a";
const std::string inbound = "/api/v1/sms/inbound/" + inbound_token;

std::string text(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

struct Desk {
  OrgFixture& org;
  TestServer& server;
  Session op{server.port(), "operator", fixture_password};
  Session handler{server.port(), "v1.handler", fixture_password};

  HttpReply act(Session& who, std::int64_t id, const std::string& transition, int version,
                const std::string& fields = "") {
    return who.send("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/" + transition,
                    R"({"version":)" + std::to_string(version) + fields + "}");
  }

  // A petition from this mobile number, taken to "replied": its answer texted, a callback awaited.
  std::int64_t answered(const std::string& phone) {
    auto filed = op.send("POST", "/api/v1/petitions",
                         R"({"channel":"hotline","type":"help","category":"other","subject":"轮椅维修",)"
                         R"("content":"轮椅坏了。","petitioner":{"name":"郑一","phone":")" +
                             phone + R"("}})");
    REQUIRE(filed.status == 201);
    const auto id = filed.json().at("id").to_number<std::int64_t>();
    REQUIRE(act(op, id, "accept", 1).status == 200);
    REQUIRE(act(op, id, "dispatch", 2, R"(,"unit":"V1")").status == 200);
    REQUIRE(act(handler, id, "sign_for", 3).status == 200);
    auto replied = act(handler, id, "reply", 4, R"(,"outcome":"support","reply":"已为您联系维修。")");
    REQUIRE(replied.status == 200);
    REQUIRE(text(replied.json(), "state") == "replied");
    return id;
  }

  json::value petition(std::int64_t id) { return op.get("/api/v1/petitions/" + std::to_string(id)).json(); }
};

HttpReply report(TestServer& server, const std::string& body, const std::string& type = "application/json") {
  return http_request(server.port(), "POST", inbound, body, {{"Content-Type", type}});
}

json::object counts(const HttpReply& reply) {
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  auto object = reply.json().as_object();
  return object;
}

json::array replies(Session& op) {
  auto list = op.get("/api/v1/sms/replies");
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto items = list.json().at("replies").as_array();
  return items;
}

std::string field_of(const HttpReply& reply) {
  auto error = reply.json().at("error");
  return error.at("field").is_null() ? std::string() : std::string(error.at("field").as_string());
}

}  // namespace

TEST_CASE("a petitioner's text reply to the answer is recorded as the callback, anything else waits for an operator") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  StandIn gateway;
  pg::BlockingConnection db(org.db.url());
  set_setting(db, "sms.gateway", {{"url", gateway.url("/sms")}, {"inbound_token", inbound_token}});
  TestServer server(org, {"--notify-interval", "100"});
  Desk desk{org, server};

  const auto first = desk.answered("139-1234-5671");
  // The answer's text goes to the number in E.164 and invites a rating by digit.
  auto answer_sms = [&](const std::string& number) -> std::optional<std::string> {
    for (const auto& request : gateway.received()) {
      auto body = json::parse(std::string(request.at("body").as_string())).as_object();
      const auto said = text(body, "text");
      if (text(body, "to") == number && said.find("已办理答复") != std::string::npos) return said;
    }
    return std::nullopt;
  };
  REQUIRE(eventually([&] { return answer_sms("+8613912345671").has_value(); }));
  CHECK(answer_sms("+8613912345671")->find("回复数字即可评价：5非常满意，4满意，3基本满意，2不满意，1非常不满意。") !=
        std::string::npos);

  // Only the configured address takes reports.
  auto stranger = http_request(server.port(), "POST", "/api/v1/sms/inbound/not-the-token-at-all-000",
                               R"({"from":"13912345671","text":"5"})", {{"Content-Type", "application/json"}});
  CHECK(stranger.status == 401);
  CHECK(text(desk.petition(first), "state") == "replied");

  // "４" (full width) from the number, as one JSON object: the callback, "satisfied", in the text's name.
  auto recorded = counts(report(server, R"({"from":"13912345671","text":" ４ ","id":"gw-1"})"));
  CHECK(recorded.at("received").to_number<int>() == 1);
  CHECK(recorded.at("recorded").to_number<int>() == 1);
  auto closed = desk.petition(first);
  CHECK(text(closed, "state") == "closed");
  CHECK(text(closed, "satisfaction") == "satisfied");
  auto events = desk.op.get("/api/v1/petitions/" + std::to_string(first) + "/events").json().at("events").as_array();
  CHECK(text(events.back(), "action") == "callback");
  CHECK(text(events.back().at("actor"), "name") == "信访人短信评价");
  CHECK(events.back().at("actor").at("id").is_null());
  // The gateway's retry of the same message is the same reply: nothing more happens.
  auto repeated = counts(report(server, R"({"from":"13912345671","text":" ４ ","id":"gw-1"})"));
  CHECK(repeated.at("repeated").to_number<int>() == 1);
  CHECK(count(db, "SELECT count(*) FROM sms_replies") == 1);
  CHECK(count(db, "SELECT count(*) FROM petition_events WHERE action = 'callback'") == 1);
  CHECK(replies(desk.op).empty());  // a satisfied answer recorded: nothing to read

  // Twilio's form data, with more than a digit: the petition still awaits its callback; an operator reads it.
  const auto second = desk.answered("13912345672");
  REQUIRE(eventually([&] { return answer_sms("+8613912345672").has_value(); }));
  auto unread = counts(report(server,
                              "From=%2B8613912345672&Body=3%EF%BC%8C%E8%A1%A5%E8%B4%B4%E8%BF%98%E6%B2%A1%E5%88%B0"
                              "&MessageSid=SM0001&To=%2B8610612385",
                              "application/x-www-form-urlencoded"));
  CHECK(unread.at("unrecognised").to_number<int>() == 1);
  CHECK(text(desk.petition(second), "state") == "replied");
  auto waiting = replies(desk.op);
  REQUIRE(waiting.size() == 1);
  CHECK(text(waiting[0], "text") == "3，补贴还没到");
  CHECK(text(waiting[0], "outcome") == "unrecognised");
  CHECK(text(waiting[0], "from").find("12345672") == std::string::npos);  // masked
  CHECK(text(waiting[0], "from").ends_with("5672"));
  REQUIRE(waiting[0].at("petitions").as_array().size() == 1);
  CHECK(waiting[0].at("petitions").at(0).at("id").to_number<std::int64_t>() == second);
  CHECK(text(waiting[0].at("petitions").at(0), "tracking_code") == text(desk.petition(second), "tracking_code"));
  // The handler of a unit does not read the desk's texts.
  CHECK(desk.handler.get("/api/v1/sms/replies").status == 403);
  const auto reply_id = waiting[0].at("id").to_number<std::int64_t>();
  const auto handled = "/api/v1/sms/replies/" + std::to_string(reply_id) + "/handled";
  CHECK(desk.op.send("POST", handled, "").status == 204);
  CHECK(replies(desk.op).empty());
  CHECK(desk.op.send("POST", handled, "").status == 404);  // already handled
  CHECK(desk.op.send("POST", "/api/v1/sms/replies/999999/handled", "").status == 404);
  CHECK(count(db, "SELECT count(*) FROM audit_log WHERE action = 'sms.reply_handled'") == 1);

  // Tencent Cloud's list: "非常不满意" is recorded and, being dissatisfied, also waits for an operator.
  const auto third = desk.answered("13912345673");
  REQUIRE(eventually([&] { return answer_sms("+8613912345673").has_value(); }));
  auto unhappy = counts(report(
      server,
      R"([{"extend":"","mobile":"13912345673","nationcode":"86","sign":"12385","text":"非常不满意","time":1764720000}])"));
  CHECK(unhappy.at("recorded").to_number<int>() == 1);
  CHECK(text(desk.petition(third), "satisfaction") == "very_dissatisfied");
  waiting = replies(desk.op);
  REQUIRE(waiting.size() == 1);
  CHECK(text(waiting[0], "outcome") == "recorded");
  CHECK(text(waiting[0], "satisfaction") == "very_dissatisfied");

  // Two petitions from one number await their callbacks: the text cannot say which; an operator decides.
  const auto fourth = desk.answered("13912345674");
  const auto fifth = desk.answered("13912345674");
  REQUIRE(eventually([&] {
    return count(db,
                 "SELECT count(*) FROM notification_deliveries WHERE channel = 'sms' AND state = 'sent'"
                 " AND topic = 'reply'") == 5;
  }));
  auto which = counts(report(server, R"({"from":"+86 139 1234 5674","text":"5"})"));
  CHECK(which.at("ambiguous").to_number<int>() == 1);
  CHECK(text(desk.petition(fourth), "state") == "replied");
  CHECK(text(desk.petition(fifth), "state") == "replied");
  // A digit from a number that is owed no callback.
  auto nobody = counts(report(server, R"({"from":"13700000000","text":"5"})"));
  CHECK(nobody.at("no_petition").to_number<int>() == 1);
  waiting = replies(desk.op);
  REQUIRE(waiting.size() == 3);
  CHECK(text(waiting[1], "outcome") == "ambiguous");
  CHECK(waiting[1].at("petitions").as_array().size() == 2);
  CHECK(text(waiting[2], "outcome") == "no_petition");
  CHECK(waiting[2].at("petitions").as_array().empty());
}

TEST_CASE("a hostile SMS report is refused with the field it broke, and nothing is kept") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  set_setting(db, "sms.gateway", {{"url", "http://127.0.0.1:9/sms"}, {"inbound_token", inbound_token}});
  TestServer server(org);
  std::string many = "[";
  for (int i = 0; i <= 100; ++i) many += std::string(i ? "," : "") + R"({"from":"13912345671","text":"5"})";
  many += "]";
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {R"({"from":"13912345671","text":"5\u0000"})", "application/json", "text"},
      {R"({"from":"1391234\u00005671","text":"5"})", "application/json", "from"},
      {R"({"from":"13912345671","text":")" + std::string(1001, 'x') + R"("})", "application/json", "text"},
      {R"({"from":"13912345671"})", "application/json", "text"},
      {R"({"text":"5"})", "application/json", "from"},
      {R"({"from":"13912345671","text":"5")", "application/json", "body"},
      {R"("5")", "application/json", "body"},
      {R"([{"from":"13912345671","text":"5"},{"from":"13912345671"}])", "application/json", "[1].text"},
      {many, "application/json", "body"},
      {"From=13912345671&Body=%FF%FE", "application/x-www-form-urlencoded", "text"},
      {"5", "text/plain", "body"},
  };
  for (const auto& [body, type, field] : cases) {
    CAPTURE(body.substr(0, 80), type);
    auto refused = report(server, body, type);
    CHECK(refused.status == 422);
    CHECK(field_of(refused) == field);
  }
  CHECK(count(db, "SELECT count(*) FROM sms_replies") == 0);
  // Without an inbound token set, no address takes replies.
  set_setting(db, "sms.gateway", {{"url", "http://127.0.0.1:9/sms"}});
  CHECK(report(server, R"({"from":"13912345671","text":"5"})").status == 401);
}
