// Petitions over HTTP, end to end against real PostgreSQL: intake from every channel, the lifecycle
// through the workflow engine, concurrency, the timeline, queries, repeats, proxies and bad input.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"
#include "workflow/calendar.hpp"
#include "workflow/identity.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace json = boost::json;

namespace {

// A valid resident ID number from 17 digits (GB 11643 check character appended).
std::string id_number(const std::string& first17) { return first17 + id_check_character(first17); }

std::string petition_body(const std::string& extra = "", const std::string& petitioner = "") {
  std::string who = petitioner.empty() ? R"({"name":"张三","phone":"138-1234-5678","id_number":")" +
                                             id_number("11010519491231002") + R"(","unit":"V1"})"
                                       : petitioner;
  return R"({"channel":"hotline","type":"help","category":"subsidies","subject":"护理补贴未到账",)"
         R"("content":"本月重度残疾人护理补贴没有到账，请帮忙查询。","petitioner":)" +
         who + extra + "}";
}

// petition_body() with fields set (a JSON value each), or removed when the value is "-".
std::string body_with(std::initializer_list<std::pair<const char*, const char*>> changes,
                      const std::string& base = petition_body()) {
  auto object = json::parse(base).as_object();
  for (const auto& [key, value] : changes) {
    if (std::string(value) == "-") object.erase(key);
    else object[key] = json::parse(value);
  }
  return json::serialize(object);
}

std::int64_t count_of(pg::BlockingConnection& db, const std::string& sql) { return db.exec(sql).integer(0, 0); }

std::string text(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }
std::int64_t number(const json::value& v, const char* key) { return v.at(key).to_number<std::int64_t>(); }

struct Fixture {
  OrgFixture org;
  TestServer server{org};
  std::map<std::string, Session> sessions;

  Session& as(const std::string& login) {
    auto it = sessions.find(login);
    if (it == sessions.end()) it = sessions.emplace(login, Session(server.port(), login, fixture_password)).first;
    return it->second;
  }
  json::value file(const std::string& body = petition_body(), const std::string& login = "operator") {
    auto reply = as(login).send("POST", "/api/v1/petitions", body);
    INFO(reply.body);
    REQUIRE(reply.status == 201);
    return reply.json();
  }
  HttpReply act(const std::string& login, std::int64_t id, const std::string& transition, int version,
                const std::string& fields = "") {
    return as(login).send("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/" + transition,
                          R"({"version":)" + std::to_string(version) + fields + "}");
  }
  json::value get(const std::string& login, std::int64_t id) {
    auto reply = as(login).get("/api/v1/petitions/" + std::to_string(id));
    REQUIRE(reply.status == 200);
    return reply.json();
  }
};

std::string field_of(const HttpReply& reply) {
  auto error = reply.json().at("error");
  return error.at("field").is_null() ? std::string() : std::string(error.at("field").as_string());
}

}  // namespace

TEST_CASE("a hotline petition goes from registration to callback, each step one timeline event") {
  Fixture f;
  auto p = f.file();
  const auto id = number(p, "id");
  CHECK(text(p, "state") == "registered");
  CHECK(text(p, "channel") == "hotline");
  CHECK(text(p.at("petitioner"), "phone") == "138****5678");  // masked
  CHECK(text(p.at("petitioner"), "id_number").find("**********") != std::string::npos);
  CHECK(text(p.at("deadline"), "status") == "ok");  // the 15-day acceptance notice runs

  CHECK(f.act("operator", id, "accept", 1).status == 200);
  auto stale = f.act("operator", id, "accept", 1);
  CHECK(stale.status == 409);  // decided on an old version
  auto to_complained = f.act("operator", id, "dispatch", 2, R"(,"unit":"NOPE")");
  CHECK(to_complained.status == 422);
  CHECK(field_of(to_complained) == "unit");
  auto dispatched = f.act("operator", id, "dispatch", 2, R"(,"unit":"V1")");
  REQUIRE(dispatched.status == 200);
  CHECK(text(dispatched.json().at("responsible_unit"), "code") == "V1");

  // Only the responsible unit's handler may sign for it; another unit does not even see it.
  CHECK(f.act("v2.handler", id, "sign_for", 3).status == 404);
  CHECK(f.act("t1.handler", id, "sign_for", 3).status == 404);
  auto signed_for = f.act("v1.handler", id, "sign_for", 3);
  REQUIRE(signed_for.status == 200);
  CHECK(text(signed_for.json(), "state") == "handling");
  CHECK(signed_for.header("etag") == "\"4\"");

  // Two handlers acting on the same version: the second gets 409, nothing is overwritten.
  auto first = f.as("v1.handler")
                   .request("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/reply",
                            R"({"outcome":"support","reply":"已补发"})", {{"If-Match", "\"4\""}});
  auto second = f.as("v1.handler")
                    .request("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/reply",
                             R"({"outcome":"explain","reply":"另一答复"})", {{"If-Match", "\"4\""}});
  CHECK(first.status == 200);
  CHECK(second.status == 409);
  CHECK(text(f.get("operator", id), "reply_outcome") == "support");

  auto wrong = f.act("operator", id, "callback", 5, R"(,"satisfaction":"pleased")");
  CHECK(wrong.status == 422);
  CHECK(field_of(wrong) == "satisfaction");
  auto closed = f.act("operator", id, "callback", 5, R"(,"satisfaction":"satisfied")");
  REQUIRE(closed.status == 200);
  CHECK(text(closed.json(), "state") == "closed");
  CHECK(text(closed.json(), "satisfaction") == "satisfied");

  auto events =
      f.as("operator").get("/api/v1/petitions/" + std::to_string(id) + "/events").json().at("events").as_array();
  std::vector<std::string> actions;
  for (const auto& e : events) actions.push_back(text(e, "action"));
  CHECK(actions == std::vector<std::string>{"registered", "accept", "dispatch", "sign_for", "reply", "callback"});
  CHECK(text(events[4].at("fields"), "reply") == "已补发");
  CHECK(text(events[3].at("actor"), "name") == "User v1.handler");
  // The timeline names the units its events name by code.
  auto timeline = f.as("operator").get("/api/v1/petitions/" + std::to_string(id) + "/events").json();
  CHECK(text(events[2].at("fields"), "unit") == "V1");
  CHECK(timeline.at("units").as_object().size() == 1);
  CHECK(text(timeline.at("units"), "V1") == text(f.get("operator", id).at("responsible_unit"), "name"));

  // One outbox row per audience each step notified, written in the step's transaction.
  pg::BlockingConnection db(f.org.db.url());
  auto outbox =
      db.exec("SELECT topic || ':' || audience FROM outbox WHERE petition_id = $1 ORDER BY id", {std::to_string(id)});
  std::vector<std::string> messages;
  for (int row = 0; row < outbox.rows(); ++row) messages.emplace_back(outbox.text(row, 0));
  CHECK(messages == std::vector<std::string>{"registered:petitioner", "accept:petitioner", "dispatch:handlers",
                                             "dispatch:petitioner", "reply:petitioner", "reply:operators",
                                             "callback:petitioner"});
  // The timeline cannot be rewritten.
  CHECK_THROWS(db.exec("UPDATE petition_events SET action = 'x'"));
}

TEST_CASE("every transition of the definition is reachable over the API with its required fields") {
  Fixture f;
  const auto id = number(f.file(), "id");
  auto missing = f.act("operator", id, "not_accept", 1);
  CHECK(missing.status == 422);
  CHECK(field_of(missing) == "reason");
  CHECK(f.act("operator", id, "no_such_action", 1).status == 404);
  CHECK(f.act("operator", id, "sign_for", 1).status == 409);  // not from this state
  // The return window, extensions with their limit, documents pausing the clock, redo and the reviews: the
  // village's reply reviewed by its town, the town's review opinion re-reviewed by the district.
  REQUIRE(f.act("operator", id, "accept", 1).status == 200);
  REQUIRE(f.act("operator", id, "dispatch", 2, R"(,"unit":"V1")").status == 200);
  REQUIRE(f.act("v1.handler", id, "return", 3, R"(,"reason":"不属本单位")").status == 200);
  REQUIRE(f.act("district.manager", id, "reject_return", 4, R"(,"reason":"属于本镇")").status == 200);
  REQUIRE(f.act("v1.handler", id, "sign_for", 5).status == 200);
  REQUIRE(f.act("v1.handler", id, "request_documents", 6, R"(,"reason":"请补充残疾证")").status == 200);
  auto paused = f.get("v1.handler", id);
  CHECK(paused.at("deadline").at("due_at").is_null());  // the handling clock is paused
  REQUIRE(f.act("v1.handler", id, "documents_received", 7).status == 200);
  auto too_long = f.act("v1.handler", id, "request_extension", 8, R"(,"reason":"需要核实","days":40)");
  CHECK(too_long.status == 422);
  CHECK(field_of(too_long) == "days");
  REQUIRE(f.act("v1.handler", id, "request_extension", 8, R"(,"reason":"需要核实","days":5)").status == 200);
  CHECK(f.act("v1.handler", id, "approve_extension", 9).status == 403);  // a manager's decision
  REQUIRE(f.act("t1.manager", id, "approve_extension", 9).status == 200);
  REQUIRE(f.act("v1.handler", id, "reply", 10, R"(,"outcome":"explain","reply":"政策解释")").status == 200);
  REQUIRE(f.act("operator", id, "redo", 11, R"(,"reason":"信访人不满意")").status == 200);
  REQUIRE(f.act("v1.handler", id, "reply", 12, R"(,"outcome":"support","reply":"已解决")").status == 200);
  REQUIRE(f.act("operator", id, "callback", 13, R"(,"satisfaction":"dissatisfied")").status == 200);
  REQUIRE(f.act("operator", id, "request_review", 14, R"(,"reason":"不服答复")").status == 200);
  CHECK(f.act("district.manager", id, "decide_review", 15, R"(,"outcome":"support","reply":"维持")").status == 403);
  REQUIRE(f.act("t1.manager", id, "decide_review", 15, R"(,"outcome":"support","reply":"维持")").status == 200);
  REQUIRE(f.act("operator", id, "request_re_review", 16, R"(,"reason":"仍不服")").status == 200);
  auto concluded =
      f.act("district.manager", id, "decide_re_review", 17, R"(,"outcome":"not_supported","reply":"终结")");
  REQUIRE(concluded.status == 200);
  CHECK(text(concluded.json(), "state") == "concluded");
  CHECK_FALSE(concluded.json().at("closed_at").is_null());

  // The same matter again after re-review: registered (every matter is) and refused with the reason.
  auto again = f.file();
  CHECK(text(again, "state") == "not_accepted");
  auto events = f.as("operator").get("/api/v1/petitions/" + std::to_string(number(again, "id")) + "/events").json();
  CHECK(text(events.at("events").as_array().back(), "action") == "not_accept");
  CHECK(text(events.at("events").as_array().back().at("fields"), "reason").find("终结") != std::string::npos);
}

TEST_CASE("the emergency fast track, answers on the call, and a consultation only") {
  Fixture f;
  auto urgent = f.file(body_with({{"urgency", R"("emergency")"}}));
  auto fast = f.act("operator", number(urgent, "id"), "fast_track", 1, R"(,"unit":"T1","reason":"扬言轻生")");
  REQUIRE(fast.status == 200);
  CHECK(text(fast.json(), "state") == "dispatched");

  auto answered = f.file(R"({"channel":"hotline","type":"consultation","category":"subsidies","subject":"补贴标准",)"
                         R"("content":"咨询护理补贴标准","answer_on_call":"每月按一级、二级标准发放"})");
  CHECK(text(answered, "state") == "closed");
  auto help = f.as("operator").send("POST", "/api/v1/petitions", body_with({{"answer_on_call", R"("不是咨询")"}}));
  CHECK(help.status == 409);  // answer_on_call is only for consultations
  auto count = pg::BlockingConnection(f.org.db.url()).exec("SELECT count(*) FROM petitions");
  CHECK(count.text(0, 0) == "2");  // the refused one left nothing behind
}

TEST_CASE("accusation material never reaches the unit complained about") {
  Fixture f;
  auto p =
      f.file(body_with({{"type", R"("complaint")"}, {"complaint", R"({"object":"一镇工作人员","units":["T1"]})"}}));
  const auto id = number(p, "id");
  REQUIRE(f.act("operator", id, "accept", 1).status == 200);
  auto to_accused = f.act("operator", id, "dispatch", 2, R"(,"unit":"V1")");  // under T1
  CHECK(to_accused.status == 422);
  CHECK(field_of(to_accused) == "unit");
  REQUIRE(f.act("operator", id, "dispatch", 2, R"(,"unit":"D-MZ")").status == 200);
  CHECK(f.as("t1.manager").get("/api/v1/petitions/" + std::to_string(id)).status == 404);
  CHECK(f.as("district.manager").get("/api/v1/petitions/" + std::to_string(id)).status == 200);
  auto list = f.as("t1.manager").get("/api/v1/petitions").json();
  CHECK(list.at("items").as_array().empty());
}

TEST_CASE("walk-ins: the ID check digit, group visits and the printable acknowledgement") {
  Fixture f;
  auto bad_id = f.as("operator")
                    .send("POST", "/api/v1/petitions",
                          body_with({{"channel", R"("walk_in")"},
                                     {"petitioner", R"({"name":"李四","id_number":"110105194912310021"})"}}));
  CHECK(bad_id.status == 422);
  CHECK(field_of(bad_id) == "petitioner.id_number");
  auto no_id = f.as("operator")
                   .send("POST", "/api/v1/petitions",
                         body_with({{"channel", R"("walk_in")"}, {"petitioner", R"({"name":"李四"})"}}));
  CHECK(no_id.status == 422);
  CHECK(field_of(no_id) == "petitioner.id_number");
  std::string six;
  for (int i = 0; i < 6; ++i) six += std::string(i ? "," : "") + R"({"name":"代表)" + std::to_string(i) + "\"}";
  const std::string group_of_six = R"({"size":30,"representatives":[)" + six + "]}";
  auto too_many =
      f.as("operator")
          .send("POST", "/api/v1/petitions", body_with({{"channel", R"("walk_in")"}, {"group", group_of_six.c_str()}}));
  CHECK(too_many.status == 422);
  CHECK(field_of(too_many) == "group.representatives");
  auto group = f.file(body_with({{"channel", R"("walk_in")"},
                                 {"group", R"({"size":30,"representatives":[{"name":"王五","phone":"13912345678"}]})"},
                                 {"proxy", R"({"name":"李监护","relation":"监护人","phone":"13800001111"})"},
                                 {"consent", R"({"method":"written","at":"2026-11-28T09:30:00+08:00"})"}}));
  CHECK(number(group.at("group"), "size") == 30);
  CHECK(text(group.at("group").at("representatives").as_array()[0], "phone") == "139****5678");
  CHECK(text(group.at("proxy").at("consent"), "method") == "written");
  auto receipt = f.as("operator").get("/api/v1/petitions/" + std::to_string(number(group, "id")) + "/receipt");
  REQUIRE(receipt.status == 200);
  CHECK(receipt.header("content-type").starts_with("text/html"));
  CHECK(receipt.body.find(text(group, "tracking_code")) != std::string::npos);
  CHECK(receipt.body.find("受理回执") != std::string::npos);
  CHECK(receipt.body.find("30 人") != std::string::npos);
  CHECK(receipt.body.find("13912345678") == std::string::npos);
}

TEST_CASE("a letter registered days after it arrived carries its received date, and its clocks count from it") {
  Fixture f;
  const auto today = workflow::local_date(workflow::Instant(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())));
  const auto day = [&](int offset) { return "\"" + workflow::format_date(today + std::chrono::days(offset)) + "\""; };
  auto refused = [&](std::initializer_list<std::pair<const char*, const char*>> changes) {
    auto reply = f.as("operator").send("POST", "/api/v1/petitions", body_with(changes));
    CHECK(reply.status == 422);
    return field_of(reply);
  };
  const auto ten_days_ago = day(-10), tomorrow = day(1), long_ago = day(-40);
  CHECK(refused({{"channel", R"("letter")"}, {"received_at", tomorrow.c_str()}}) == "received_at");
  CHECK(refused({{"channel", R"("letter")"}, {"received_at", long_ago.c_str()}}) == "received_at");
  CHECK(refused({{"channel", R"("letter")"}, {"received_at", R"("last week")"}}) == "received_at");
  CHECK(refused({{"received_at", ten_days_ago.c_str()}}) == "received_at");  // a hotline call arrives as it is logged
  auto letter = f.file(body_with({{"channel", R"("letter")"}, {"received_at", ten_days_ago.c_str()}}));
  const auto received = ten_days_ago.substr(1, 10) + "T00:00:00+08:00";
  CHECK(text(letter, "received_at") == received);
  bool counted = false;
  for (const auto& clock : letter.as_object().at("clocks").as_array())
    if (clock.at("name").as_string() == "acceptance_notice") counted = clock.at("started_at").as_string() == received;
  CHECK(counted);  // the 15 days count from the day it arrived
  auto receipt = f.as("operator").get("/api/v1/petitions/" + std::to_string(number(letter, "id")) + "/receipt");
  const std::chrono::year_month_day arrived{today - std::chrono::days(10)};
  const auto people = std::to_string(static_cast<int>(arrived.year())) + "年" +
                      std::to_string(static_cast<unsigned>(arrived.month())) + "月" +
                      std::to_string(static_cast<unsigned>(arrived.day())) + "日";
  CHECK(receipt.body.find(people + " 00:00") != std::string::npos);  // dates for people, not ISO
  CHECK(receipt.body.find(received) == std::string::npos);
}

TEST_CASE("proxies file with consent, see their own cases and request review for the petitioner") {
  Fixture f;
  auto without = f.as("proxy").send("POST", "/api/v1/petitions", petition_body());
  CHECK(without.status == 422);
  CHECK(field_of(without) == "consent");
  auto p = f.file(body_with({{"consent", R"({"method":"verbal"})"}}), "proxy");
  const auto id = number(p, "id");
  CHECK(text(p.at("intake_unit"), "code") == "D");  // the registration desk, so the hotline sees it
  CHECK(f.as("operator").get("/api/v1/petitions/" + std::to_string(id)).status == 200);
  CHECK(number(p.at("proxy").at("user"), "id") == f.as("proxy").user_id());
  auto mine = f.as("proxy").get("/api/v1/petitions?mine=true").json();
  REQUIRE(mine.at("items").as_array().size() == 1);
  auto by_proxy = f.as("operator").get("/api/v1/petitions?proxy=" + std::to_string(f.as("proxy").user_id())).json();
  CHECK(number(by_proxy, "total") == 1);
  // Another operator's petition stays out of the proxy's sight until a grant with consent.
  auto other = f.file();
  CHECK(f.as("proxy").get("/api/v1/petitions/" + std::to_string(number(other, "id"))).status == 404);
  auto grant =
      f.as("operator")
          .send("POST", "/api/v1/petitions/" + std::to_string(number(other, "id")) + "/proxy",
                R"({"user":)" + std::to_string(f.as("proxy").user_id()) + R"(,"consent":{"method":"recorded_call"}})");
  REQUIRE(grant.status == 200);
  CHECK(f.as("proxy").get("/api/v1/petitions/" + std::to_string(number(other, "id"))).status == 200);
  auto not_a_proxy = f.as("operator")
                         .send("POST", "/api/v1/petitions/" + std::to_string(number(other, "id")) + "/proxy",
                               R"({"user":)" + std::to_string(f.org.user_ids.at("t1.handler")) +
                                   R"(,"consent":{"method":"written"}})");
  CHECK(not_a_proxy.status == 422);

  REQUIRE(f.act("operator", id, "accept", 1).status == 200);
  REQUIRE(f.act("operator", id, "dispatch", 2, R"(,"unit":"V1")").status == 200);
  REQUIRE(f.act("v1.handler", id, "sign_for", 3).status == 200);
  REQUIRE(f.act("v1.handler", id, "reply", 4, R"(,"outcome":"not_supported","reply":"不符合条件")").status == 200);
  REQUIRE(f.act("operator", id, "callback", 5, R"(,"satisfaction":"very_dissatisfied")").status == 200);
  auto review = f.act("proxy", id, "request_review", 6, R"(,"reason":"代信访人申请复查")");
  REQUIRE(review.status == 200);
  CHECK(text(review.json(), "state") == "reviewing");
}

TEST_CASE("a retried create with the same Idempotency-Key never makes a second petition") {
  Fixture f;
  auto& operator_ = f.as("operator");
  auto first = operator_.request("POST", "/api/v1/petitions", petition_body(), {{"Idempotency-Key", "retry-1"}});
  auto again = operator_.request("POST", "/api/v1/petitions", petition_body(), {{"Idempotency-Key", "retry-1"}});
  REQUIRE(first.status == 201);
  CHECK(again.status == 200);
  CHECK(again.header("idempotent-replayed") == "true");
  CHECK(number(again.json(), "id") == number(first.json(), "id"));
  auto different = operator_.request("POST", "/api/v1/petitions", body_with({{"urgency", R"("urgent")"}}),
                                     {{"Idempotency-Key", "retry-1"}});
  CHECK(different.status == 422);
  CHECK(field_of(different) == "Idempotency-Key");
  CHECK(pg::BlockingConnection(f.org.db.url()).exec("SELECT count(*) FROM petitions").text(0, 0) == "1");
}

TEST_CASE("repeats are flagged at intake and merged as children, counted once") {
  Fixture f;
  auto parent = f.file();
  CHECK(parent.at("repeat_of").is_null());
  // Same person (by phone this time), same category, while the first is open.
  auto repeat = f.file(petition_body("", R"({"name":"张三","phone":"+86 138 1234 5678"})"));
  CHECK(number(repeat, "repeat_of") == number(parent, "id"));
  auto other_category =
      f.file(body_with({{"category", R"("education")"}, {"petitioner", R"({"phone":"13812345678"})"}}));
  CHECK(other_category.at("repeat_of").is_null());
  auto self =
      f.act("operator", number(repeat, "id"), "merge", 1, R"(,"parent":)" + std::to_string(number(repeat, "id")));
  CHECK(self.status == 422);
  auto merged =
      f.act("operator", number(repeat, "id"), "merge", 1, R"(,"parent":)" + std::to_string(number(parent, "id")));
  REQUIRE(merged.status == 200);
  CHECK(text(merged.json(), "state") == "merged");
  CHECK(number(merged.json(), "parent_id") == number(parent, "id"));
  CHECK(number(f.get("operator", number(parent, "id")), "repeat_count") == 1);
}

TEST_CASE("lists filter, page by keyset, count, and search Chinese by two-character words") {
  Fixture f;
  for (int i = 0; i < 7; ++i)
    f.file(petition_body(
        "", R"({"name":"用户)" + std::to_string(i) + R"(","phone":"1390000111)" + std::to_string(i) + "\"}"));
  auto accessible =
      f.file(R"({"channel":"letter","type":"suggestion","category":"accessibility","subject":"盲道被占用",)"
             R"("content":"小区门口的盲道被车辆长期占用，视力残疾人出行困难。","urgency":"urgent"})");
  auto& op = f.as("operator");
  auto all = op.get("/api/v1/petitions?limit=3").json();
  CHECK(number(all, "total") == 8);
  CHECK(all.at("total_exact").as_bool());
  std::set<std::int64_t> seen;
  std::string next = std::string(all.at("next").as_string());
  for (const auto& item : all.at("items").as_array()) seen.insert(number(item, "id"));
  while (!next.empty()) {
    std::string encoded;
    for (char c : next) encoded += c == '+' ? "%2B" : c == ' ' ? "%20" : c == '|' ? "%7C" : std::string(1, c);
    auto page = op.get("/api/v1/petitions?limit=3&after=" + encoded).json();
    for (const auto& item : page.at("items").as_array()) CHECK(seen.insert(number(item, "id")).second);
    next = page.at("next").is_null() ? "" : std::string(page.at("next").as_string());
  }
  CHECK(seen.size() == 8);

  auto search = op.get("/api/v1/petitions?q=%E7%9B%B2%E9%81%93").json();  // 盲道
  REQUIRE(search.at("items").as_array().size() == 1);
  CHECK(number(search.at("items").as_array()[0], "id") == number(accessible, "id"));
  CHECK(
      op.get("/api/v1/petitions?q=%E9%81%93%E7%9B%B2").json().at("items").as_array().empty());  // 道盲: not a word here
  CHECK(op.get("/api/v1/petitions?q=%E7%9B%B2").status == 422);                                 // one character
  CHECK(number(op.get("/api/v1/petitions?urgency=urgent&channel=letter").json(), "total") == 1);
  CHECK(number(op.get("/api/v1/petitions?category=subsidies&state=registered").json(), "total") == 7);
  CHECK(number(op.get("/api/v1/petitions?type=suggestion").json(), "total") == 1);
  CHECK(number(op.get("/api/v1/petitions?type=help,suggestion").json(), "total") == 8);
  // The search box also takes a tracking code (any case) and a phone number (however written).
  const auto code = text(accessible, "tracking_code");
  std::string lower_code;
  for (char c : code) lower_code += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto by_code = op.get("/api/v1/petitions?q=" + lower_code).json();
  REQUIRE(by_code.at("items").as_array().size() == 1);
  CHECK(number(by_code.at("items").as_array()[0], "id") == number(accessible, "id"));
  auto by_phone = op.get("/api/v1/petitions?q=139-0000-1113").json();
  REQUIRE(by_phone.at("items").as_array().size() == 1);
  CHECK(text(by_phone.at("items").as_array()[0], "petitioner_name") == "用户3");
  CHECK(number(op.get("/api/v1/petitions?q=%2B86%20139%200000%201113").json(), "total") == 1);
  CHECK(op.get("/api/v1/petitions?deadline=late").status == 422);
  // Dates are local (Asia/Shanghai) days, inclusive.
  const auto today = text(accessible, "received_at").substr(0, 10);
  CHECK(number(op.get("/api/v1/petitions?from=" + today + "&to=" + today).json(), "total") == 8);
  CHECK(number(op.get("/api/v1/petitions?to=2020-01-01").json(), "total") == 0);
  CHECK(op.get("/api/v1/petitions?from=2026-13-01").status == 422);
  CHECK(number(op.get("/api/v1/petitions?proxy=" + std::to_string(f.org.user_ids.at("proxy"))).json(), "total") == 0);
  CHECK(op.get("/api/v1/petitions?after=garbage").status == 422);
  CHECK(number(op.get("/api/v1/petitions?deadline=overdue").json(), "total") == 0);
  // Three weeks on, every acceptance notice (15 days, moved off a rest day) is overdue.
  f.server.clock().advance(std::chrono::hours(24 * 21));
  auto overdue_reply = op.get("/api/v1/petitions?deadline=overdue&sort=deadline");
  INFO(overdue_reply.body);
  auto overdue = overdue_reply.json();
  CHECK(number(overdue, "total") == 8);
  CHECK(text(overdue.at("items").as_array()[0], "deadline_status") == "overdue");
  // A handler sees only what is routed to their unit.
  CHECK(number(f.as("v1.handler").get("/api/v1/petitions").json(), "total") == 0);
  // And a petitioner's name (two to five Han characters that are someone's name), never an anonymous petition's.
  const auto named = f.file(R"({"channel":"hotline","type":"help","category":"subsidies","subject":"补贴咨询",)"
                            R"("content":"询问补贴。","petitioner":{"name":"王秀英","phone":"13700001234"}})");
  f.file(R"({"channel":"hotline","type":"help","category":"subsidies","subject":"匿名反映","content":"匿名。",)"
         R"("anonymous":true,"petitioner":{"name":"王秀英","phone":"13700001235"}})");
  auto by_name = op.get("/api/v1/petitions?q=%E7%8E%8B%E7%A7%80%E8%8B%B1").json();  // 王秀英
  REQUIRE(by_name.at("items").as_array().size() == 1);
  CHECK(number(by_name.at("items").as_array()[0], "id") == number(named, "id"));
  CHECK(number(op.get("/api/v1/petitions?q=%E7%8E%8B%E7%A7%80").json(), "total") == 0);  // 王秀: no one's name, no word
}

TEST_CASE("the petition and the worklist say the working time left before the deadline, then how late") {
  Fixture f;
  // Monday 2026-03-02 09:00 in Shanghai: the 15-day acceptance notice ends with Tuesday 03-17.
  f.server.clock().set(workflow::at_local(*workflow::parse_date("2026-03-02"), std::chrono::hours(9)));
  auto p = f.file();
  const auto id = number(p, "id");
  auto left = p.at("deadline").at("time_left");
  CHECK_FALSE(left.at("overdue").as_bool());
  CHECK(number(left, "working_days") == 11);                            // 03-03 … 03-17 less two weekends
  CHECK(number(left, "working_minutes") == 6 * 60 + 30 + 11 * 7 * 60);  // today's 6.5 working hours and 11 days of 7
  // Thursday 03-19 10:00: late by Wednesday and this morning's 90 minutes, in the list as on the page.
  f.server.clock().set(workflow::at_local(*workflow::parse_date("2026-03-19"), std::chrono::hours(10)));
  auto items = f.as("operator").get("/api/v1/petitions").json().at("items").as_array();
  REQUIRE(items.size() == 1);
  auto late = items[0].at("time_left");
  CHECK(late.at("overdue").as_bool());
  CHECK(number(late, "working_days") == 2);
  CHECK(number(late, "working_minutes") == 7 * 60 + 90);
  CHECK(f.get("operator", id).at("deadline").at("time_left") == late);
}

TEST_CASE("the public portal takes petitions without an account and shows status only to the phone's owner") {
  Fixture f;
  const auto port = f.server.port();
  const std::string body =
      R"({"type":"help","category":"certificate","subject":"办理残疾人证",)"
      R"("content":"想咨询如何办理第二代残疾人证。","petitioner":{"name":"赵六","phone":"13987654321"}})";
  auto submitted = http_request(port, "POST", "/api/v1/portal/petitions", body, {{"Content-Type", "application/json"}});
  REQUIRE(submitted.status == 201);
  const auto code = text(submitted.json(), "tracking_code");
  CHECK(submitted.body.find("13987654321") == std::string::npos);
  auto staff_field = http_request(port, "POST", "/api/v1/portal/petitions",
                                  body.substr(0, body.size() - 1) + R"(,"channel":"hotline"})",
                                  {{"Content-Type", "application/json"}});
  CHECK(staff_field.status == 422);
  CHECK(field_of(staff_field) == "channel");
  auto no_phone =
      http_request(port, "POST", "/api/v1/portal/petitions",
                   R"({"type":"help","category":"certificate","subject":"a","content":"b","petitioner":{"name":"x"}})",
                   {{"Content-Type", "application/json"}});
  CHECK(field_of(no_phone) == "petitioner.phone");

  auto status =
      http_request(port, "POST", "/api/v1/portal/status", R"({"tracking_code":")" + code + R"(","phone_last4":"4321"})",
                   {{"Content-Type", "application/json"}});
  REQUIRE(status.status == 200);
  CHECK(text(status.json(), "state") == "registered");
  for (const char* secret : {"赵六", "13987654321", "办理残疾人证", "content"})
    CHECK(status.body.find(secret) == std::string::npos);
  auto wrong =
      http_request(port, "POST", "/api/v1/portal/status", R"({"tracking_code":")" + code + R"(","phone_last4":"1234"})",
                   {{"Content-Type", "application/json"}});
  CHECK(wrong.status == 404);
  // The code: the date and 60 random bits in groups of four, accepted as typed (any case, spaces, no dashes).
  REQUIRE(code.size() == 23);
  CHECK(code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ-") == std::string::npos);
  std::string typed;
  for (char c : code)
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  typed.insert(8, " ");
  auto as_typed = http_request(port, "POST", "/api/v1/portal/status",
                               R"({"tracking_code":")" + typed + R"(","phone_last4":"4321"})",
                               {{"Content-Type", "application/json"}});
  CHECK(as_typed.status == 200);
  auto not_a_code =
      http_request(port, "POST", "/api/v1/portal/status", R"({"tracking_code":"12345","phone_last4":"4321"})",
                   {{"Content-Type", "application/json"}});
  CHECK(not_a_code.status == 422);
  CHECK(field_of(not_a_code) == "tracking_code");
  // The web intake unit (the root unless configured) sees it; it was registered by nobody.
  auto list = f.as("operator").get("/api/v1/petitions?channel=web").json();
  REQUIRE(list.at("items").as_array().size() == 1);

  // Rate limits per address.
  pg::BlockingConnection(f.org.db.url())
      .exec(
          R"(UPDATE settings SET value = '{"submissions": 2, "lookups": 30, "per_minutes": 60}' WHERE key = 'portal.rate_limit')");
  auto second = http_request(port, "POST", "/api/v1/portal/petitions", body, {{"Content-Type", "application/json"}});
  CHECK(second.status == 201);
  auto third = http_request(port, "POST", "/api/v1/portal/petitions", body, {{"Content-Type", "application/json"}});
  CHECK(third.status == 429);
  // Retry-After: the seconds until the hour's window opens again.
  const auto wait = std::stoi(third.header("retry-after"));
  CHECK(wait > 3500);
  CHECK(wait <= 3600);
}

TEST_CASE("the portal lists the places and takes up to five files for the petition just submitted, for an hour") {
  Fixture f;
  const auto port = f.server.port();
  const std::map<std::string, std::string> json_type{{"Content-Type", "application/json"}};
  auto places = http_request(port, "GET", "/api/v1/portal/places", "", {});
  REQUIRE(places.status == 200);
  std::map<std::string, std::string> parent_of;
  const auto listed = places.json();
  for (const auto& place : listed.at("places").as_array())
    parent_of[text(place, "code")] = place.at("parent").is_null() ? "" : text(place, "parent");
  // Towns without a parent, villages under their town; neither the district nor a department is a place.
  CHECK(parent_of == std::map<std::string, std::string>{{"T1", ""}, {"T2", ""}, {"V1", "T1"}, {"V2", "T2"}});

  auto submitted = http_request(port, "POST", "/api/v1/portal/petitions",
                                R"({"type":"help","category":"other","subject":"轮椅维修","content":"轮椅坏了。",)"
                                R"("petitioner":{"name":"赵六","phone":"13987654321","unit":"V1"}})",
                                json_type);
  REQUIRE(submitted.status == 201);
  const auto answer = submitted.json();
  CHECK(!answer.at("due_at").is_null());                               // the acceptance notice is due by then
  CHECK(text(answer.at("handling_limit"), "unit") == "working_days");  // help: 7 working days once accepted
  CHECK(number(answer.at("handling_limit"), "amount") == 7);
  CHECK(number(answer, "upload_files") == 5);
  const std::string upload(answer.at("upload_url").as_string());
  auto attach = [&](const std::string& name, const std::string& body, const std::string& type = "application/pdf") {
    return http_request(port, "POST", upload + "?name=" + name, body, {{"Content-Type", type}});
  };
  auto first = attach("scan.pdf", "%PDF-1.4 first");
  REQUIRE(first.status == 201);
  CHECK(first.body.find("/api/v1/petitions/") == std::string::npos);  // nothing to fetch it back with
  CHECK(attach("scan.pdf", "%PDF-1.4 first").status == 200);          // a retry is the same file
  CHECK(attach("fake.pdf", "MZ not a pdf").status == 422);
  for (int i = 2; i <= 5; ++i)
    CHECK(attach("page" + std::to_string(i) + ".pdf", "%PDF-1.4 p" + std::to_string(i)).status == 201);
  auto sixth = attach("six.pdf", "%PDF-1.4 six");
  CHECK(sixth.status == 404);
  CHECK(http_request(port, "POST", "/api/v1/portal/attachments/not-a-token?name=a.pdf", "%PDF-1.4",
                     {{"Content-Type", "application/pdf"}})
            .status == 404);

  // The files are on the petition, by the portal, for the staff who may see it.
  auto& op = f.as("operator");
  auto items = op.get("/api/v1/petitions?q=" + text(answer, "tracking_code")).json().at("items").as_array();
  REQUIRE(items.size() == 1);
  const auto id = std::to_string(items[0].at("id").to_number<std::int64_t>());
  auto files = op.get("/api/v1/petitions/" + id + "/attachments").json().at("attachments").as_array();
  CHECK(files.size() == 5);
  auto petition = f.get("operator", items[0].at("id").to_number<std::int64_t>());
  CHECK(text(petition.at("petitioner").at("unit"), "code") == "V1");

  // The desk sees where it would go, by name, while registering it; a handler does not register.
  REQUIRE(f.as("admin")
              .send("PUT", "/api/v1/routing/functions", R"({"functions":{"civil_affairs":"D-MZ","federation":"D"}})")
              .status == 200);
  auto routed = op.send("POST", "/api/v1/routing/test", R"({"category":"other","place":"V1"})");
  INFO(routed.body);
  REQUIRE(routed.status == 200);
  const auto lead = text(routed.json(), "lead");
  CHECK(!text(routed.json().at("units"), lead.c_str()).empty());
  CHECK(f.as("v1.handler").send("POST", "/api/v1/routing/test", R"({"category":"other","place":"V1"})").status == 403);

  // An hour later the link takes nothing more.
  auto later = http_request(port, "POST", "/api/v1/portal/petitions",
                            R"({"type":"help","category":"other","subject":"助听器","content":"助听器坏了。",)"
                            R"("petitioner":{"name":"赵六","phone":"13987654321"}})",
                            json_type);
  REQUIRE(later.status == 201);
  f.server.clock().advance(std::chrono::minutes(61));
  CHECK(http_request(port, "POST", std::string(later.json().at("upload_url").as_string()) + "?name=a.pdf", "%PDF-1.4",
                     {{"Content-Type", "application/pdf"}})
            .status == 404);
}

TEST_CASE("bad input is refused with the field named, never stored") {
  Fixture f;
  auto& op = f.as("operator");
  struct Case {
    std::string body;
    std::string field;
  };
  std::string invalid_utf8 = body_with({{"content", R"("bad XX byte")"}});
  invalid_utf8.replace(invalid_utf8.find("XX"), 2, "\xff\xfe");
  const std::vector<Case> cases{
      {body_with({{"type", R"("gossip")"}}), "type"},
      {body_with({{"category", R"("weather")"}}), "category"},
      {body_with({{"urgency", R"("asap")"}}), "urgency"},
      {body_with({{"petitioner", R"({"phone":"12"})"}}), "petitioner.phone"},
      {body_with({{"petitioner", R"({"gender":"x"})"}}), "petitioner.gender"},
      {body_with({{"petitioner", R"({"certificate_number":"11010519491231002X93"})"}}),
       "petitioner.certificate_number"},
      {body_with(
           {{"petitioner",
             (R"({"certificate_number":")" + id_number("11010519491231002") + R"(42","disability_type":1})").c_str()}}),
       "petitioner.disability_type"},
      {body_with({{"petitioner", R"({"unit":"NOWHERE"})"}}), "petitioner.unit"},
      {body_with({{"subject", ("\"" + std::string(201, 'a') + "\"").c_str()}}), "subject"},
      {body_with({{"subject", R"("")"}}), "subject"},
      {body_with({{"content", "-"}}), "content"},
      {body_with({{"colour", R"("red")"}}), "colour"},
      {body_with({{"complaint", R"({"units":["NOWHERE"]})"}}), "complaint.units"},
      {body_with({{"complaint", R"({"units":["V1","V2","T1","T2","D-MZ","V1","V2","T1","T2","D-MZ","V1"]})"}}),
       "complaint.units"},  // at most 10
      {body_with({{"consent", R"({"method":"written","at":"2026-11-28T09:30:00+ab:cd"})"}}), "consent.at"},
      {body_with({{"consent", R"({"method":"written","at":"2026-11-28T09:30:00+1x:00"})"}}), "consent.at"},
      {body_with({{"call_id", R"("no-such-call")"}}), "call_id"},
      {invalid_utf8, "content"},
      {body_with({{"channel", R"("fax")"}}), "channel"},
  };
  for (const auto& c : cases) {
    auto reply = op.send("POST", "/api/v1/petitions", c.body);
    CAPTURE(c.body, reply.body);
    CHECK(reply.status == 422);
    CHECK(field_of(reply) == c.field);
  }
  CHECK(op.send("POST", "/api/v1/petitions", "{not json").status == 400);
  CHECK(pg::BlockingConnection(f.org.db.url()).exec("SELECT count(*) FROM petitions").text(0, 0) == "0");
  // Malformed keyset cursors name the field instead of reaching SQL.
  for (const char* cursor : {"garbage%7C5", "x_5", "%7C5", "1%7C0", "99999999999999999999%7C1"}) {
    CAPTURE(cursor);
    auto listed = op.get(std::string("/api/v1/petitions?after=") + cursor);
    CHECK(listed.status == 422);
    CHECK(field_of(listed) == "after");
  }
  // A unit named twice is one unit complained about.
  auto twice = f.file(body_with({{"type", R"("complaint")"}, {"complaint", R"({"units":["T2","T2"]})"}}));
  CHECK(twice.at("complaint").at("units").as_array().size() == 1);
}

TEST_CASE("attachments are stored under their checksum, checked against their type and size") {
  Fixture f;
  const auto id = number(f.file(), "id");
  const auto base = "/api/v1/petitions/" + std::to_string(id) + "/attachments";
  const std::string pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  auto stored = f.as("operator")
                    .request("POST", base + "?name=%E6%9D%90%E6%96%99.pdf", pdf, {{"Content-Type", "application/pdf"}});
  REQUIRE(stored.status == 201);
  CHECK(text(stored.json(), "file_name") == "材料.pdf");
  auto retried =
      f.as("operator")
          .request("POST", base + "?name=%E6%9D%90%E6%96%99.pdf", pdf, {{"Content-Type", "application/pdf"}});
  CHECK(retried.status == 200);  // the same file again is the same attachment
  CHECK(number(retried.json(), "id") == number(stored.json(), "id"));
  auto back = f.as("operator").get(text(stored.json(), "url"));
  CHECK(back.status == 200);
  CHECK(back.body == pdf);
  CHECK(back.header("content-type") == "application/pdf");
  CHECK(back.header("content-disposition").starts_with("attachment;"));
  CHECK(stored.json().at("previewable").as_bool());
  // Shown in the browser only when asked, and only for the types a browser shows without running them.
  auto shown = f.as("operator").get(text(stored.json(), "url") + "?inline=1");
  CHECK(shown.header("content-disposition").starts_with("inline;"));
  CHECK(shown.header("content-security-policy").find("sandbox") != std::string::npos);
  CHECK(shown.header("x-content-type-options") == "nosniff");
  auto note =
      f.as("operator")
          .request("POST", base + "?name=note.txt", "<script>alert(1)</script>", {{"Content-Type", "text/plain"}});
  REQUIRE(note.status == 201);
  CHECK_FALSE(note.json().at("previewable").as_bool());
  CHECK(f.as("operator")
            .get(text(note.json(), "url") + "?inline=1")
            .header("content-disposition")
            .starts_with("attachment;"));
  auto fake = f.as("operator").request("POST", base + "?name=x.png", pdf, {{"Content-Type", "image/png"}});
  CHECK(fake.status == 422);
  auto exe =
      f.as("operator").request("POST", base + "?name=x.exe", "MZ", {{"Content-Type", "application/x-msdownload"}});
  CHECK(exe.status == 415);
  CHECK(f.as("v2.handler").request("POST", base + "?name=a.pdf", pdf, {{"Content-Type", "application/pdf"}}).status ==
        404);
  auto list = f.as("operator").get(base).json();
  CHECK(list.at("attachments").as_array().size() == 2);
}

TEST_CASE("an attachment over the limit is refused with 413 and nothing is stored") {
  OrgFixture org;
  TestServer server(org, {"--attachment-limit", "2048"});
  Session op(server.port(), "operator", fixture_password);
  auto p = op.send("POST", "/api/v1/petitions", petition_body());
  REQUIRE(p.status == 201);
  auto big =
      op.request("POST", "/api/v1/petitions/" + std::to_string(number(p.json(), "id")) + "/attachments?name=a.txt",
                 std::string(4096, 'a'), {{"Content-Type", "text/plain"}});
  CHECK(big.status == 413);
  CHECK(pg::BlockingConnection(org.db.url()).exec("SELECT count(*) FROM attachments").text(0, 0) == "0");
}

TEST_CASE("the telephone system reports calls as Zammad's generic CTI does, operators see the caller's history") {
  Fixture f;
  const auto port = f.server.port();
  pg::BlockingConnection db(f.org.db.url());
  auto cti = [port](const std::string& token, const std::string& body, const std::string& type = "application/json") {
    return http_request(port, "POST", "/api/v1/cti/" + token, body, {{"Content-Type", type}});
  };
  auto disabled = cti("secret-token", R"({"event":"newCall","direction":"in","callId":"c0","from":"1","to":"2"})");
  CHECK(disabled.status == 422);
  db.exec(R"(INSERT INTO settings (key, value) VALUES ('cti.token', '"secret-token"'))");
  auto bad_token = cti("wrong", R"({"event":"newCall","direction":"in","callId":"c0","from":"1","to":"2"})");
  CHECK(bad_token.status == 401);
  CHECK(text(bad_token.json(), "error") == "Invalid token, please contact your admin!");
  auto bad_direction = cti("secret-token", R"({"event":"newCall","direction":"sideways","callId":"c0"})");
  CHECK(bad_direction.status == 422);
  CHECK(text(bad_direction.json(), "error") == "Invalid direction!");

  // An earlier petition from this caller, so the ring brings history.
  auto earlier = f.file();

  // The operator's screen: an event stream, open before the phone rings.
  RawConnection stream(port);
  stream.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + f.as("operator").cookie() + "\r\n\r\n");
  auto opened = stream.read_until(": connected", std::chrono::seconds(5));
  REQUIRE(opened.find("text/event-stream") != std::string::npos);

  auto ring = cti("secret-token",
                  "event=newCall&from=%2B86%20138-1234-5678&to=12385&direction=in&callId=call-1"
                  "&user%5B%5D=%E7%8E%8B%E8%8A%B3&user%5B%5D=Li",
                  "application/x-www-form-urlencoded");
  CHECK(ring.status == 200);
  CHECK(ring.body == "{}");
  auto pushed = stream.read_until("\n\n", std::chrono::seconds(5));
  pushed += stream.read_until(text(earlier, "tracking_code"), std::chrono::seconds(5));
  CHECK(pushed.find("event: call") != std::string::npos);
  CHECK(pushed.find(text(earlier, "tracking_code")) != std::string::npos);
  CHECK(pushed.find("13812345678") == std::string::npos);  // masked even on the operator's screen
  auto stored = db.exec("SELECT from_key, users::text FROM calls WHERE call_id = 'call-1'");
  CHECK(stored.text(0, 0) == "13812345678");
  CHECK(stored.text(0, 1) == "{王芳,Li}");

  CHECK(cti("secret-token", R"({"event":"answer","direction":"in","callId":"call-1","user":["王芳"],)"
                            R"("answeringNumber":"operator","from":"+8613812345678","to":"12385"})")
            .status == 200);
  CHECK(db.exec("SELECT answered_by FROM calls WHERE call_id = 'call-1'").text(0, 0) ==
        std::to_string(f.org.user_ids.at("operator")));
  CHECK(
      cti("secret-token", R"({"event":"hangup","direction":"in","callId":"call-1","cause":"normalClearing"})").status ==
      200);
  // A second hangup changes nothing.
  CHECK(cti("secret-token", R"({"event":"hangup","direction":"in","callId":"call-1","cause":"eaten"})").status == 200);
  CHECK(db.exec("SELECT cause FROM calls WHERE call_id = 'call-1'").text(0, 0) == "normalClearing");

  // Filed from the call: the caller's number comes with it; it is a repeat of the open matter.
  auto from_call = f.file(body_with({{"call_id", R"("call-1")"}, {"petitioner", R"({"name":"张三"})"}}));
  CHECK(text(from_call.at("petitioner"), "phone") == "138****5678");
  CHECK(number(from_call, "repeat_of") == number(earlier, "id"));
  // A follow-up call attached to the earlier petition counts as the caller chasing it.
  cti("secret-token", R"({"event":"newCall","direction":"in","callId":"call-2","from":"13812345678","to":"12385"})");
  auto chased = f.as("operator")
                    .send("POST", "/api/v1/petitions/" + std::to_string(number(earlier, "id")) + "/calls",
                          R"({"call_id":"call-2"})");
  REQUIRE(chased.status == 200);
  CHECK(number(chased.json(), "chase_count") == 1);
  CHECK(f.as("operator")
            .send("POST", "/api/v1/petitions/" + std::to_string(number(earlier, "id")) + "/calls",
                  R"({"call_id":"call-2"})")
            .status == 422);  // already attached

  auto history = f.as("operator").get("/api/v1/caller-history?phone=138%201234%205678").json();
  CHECK(history.at("petitions").as_array().size() == 2);
  CHECK(history.at("calls").as_array().size() == 2);
  CHECK(f.as("v1.handler").get("/api/v1/caller-history?phone=13812345678").status == 403);
  auto calls = f.as("operator").get("/api/v1/calls").json().at("calls").as_array();
  CHECK(calls.size() == 2);
  // Looking up a caller is audited as unmasking is.
  CHECK(
      count_of(db,
               "SELECT count(*) FROM audit_log WHERE action = 'caller_history.viewed' AND target_id = '138****5678'") ==
      1);
  // A callback: the callee's number is masked in the log as a caller's is, and listed in their history.
  cti("secret-token",
      R"({"event":"newCall","direction":"out","callId":"call-back-1","from":"12385","to":"138 1234 5678"})");
  auto log = f.as("operator").get("/api/v1/calls");
  CHECK(log.body.find("13812345678") == std::string::npos);
  CHECK(log.body.find("138 1234 5678") == std::string::npos);
  auto back = log.json().at("calls").as_array()[0];
  CHECK(text(back, "call_id") == "call-back-1");
  CHECK(text(back, "to") == "138****5678");
  CHECK(text(back, "from") == "12385");
  auto with_callback = f.as("operator").get("/api/v1/caller-history?phone=13812345678").json();
  CHECK(with_callback.at("calls").as_array().size() == 3);

  // A blocked caller is rejected; the call is still logged.
  CHECK(f.as("operator")
            .send("POST", "/api/v1/blocked-callers", R"({"phone":"137 0000 0000","reason":"骚扰电话"})")
            .status == 403);
  auto blocked =
      f.as("admin").send("POST", "/api/v1/blocked-callers", R"({"phone":"137 0000 0000","reason":"骚扰电话"})");
  REQUIRE(blocked.status == 201);
  CHECK(text(blocked.json(), "phone") == "137****0000");
  auto rejected = cti("secret-token",
                      R"({"event":"newCall","direction":"in","callId":"call-3","from":"137-0000-0000","to":"12385"})");
  CHECK(rejected.body == R"({"action":"reject","reason":"busy"})");
  CHECK(db.exec("SELECT rejected FROM calls WHERE call_id = 'call-3'").text(0, 0) == "t");
  CHECK(f.as("admin").send("DELETE", "/api/v1/blocked-callers/13700000000").status == 204);
  CHECK(f.as("admin").send("DELETE", "/api/v1/blocked-callers/13700000000").status == 404);
  auto again = cti("secret-token",
                   R"({"event":"newCall","direction":"in","callId":"call-4","from":"13700000000","to":"12385"})");
  CHECK(again.body == "{}");
}

TEST_CASE("a dispatch without a unit goes where the routing table says, never to the unit complained about") {
  Fixture f;
  pg::BlockingConnection(f.org.db.url())
      .exec(
          R"(UPDATE settings SET value = '{"civil_affairs": "D-MZ", "federation": "D"}' WHERE key = 'routing.functions')");
  auto subsidies = f.file();  // category subsidies: civil affairs leads, the federation co-handles
  const auto id = number(subsidies, "id");
  REQUIRE(f.act("operator", id, "accept", 1).status == 200);
  auto shown = f.get("operator", id);
  CHECK(text(shown.at("suggested_unit"), "code") == "D-MZ");
  CHECK(shown.at("suggested_unit").at("co").as_array().size() == 1);
  CHECK(text(f.get("district.manager", id).at("suggested_unit"), "code") == "D-MZ");  // managers dispatch too
  auto dispatched = f.act("operator", id, "dispatch", 2);
  REQUIRE(dispatched.status == 200);
  CHECK(text(dispatched.json().at("responsible_unit"), "code") == "D-MZ");
  CHECK(dispatched.json().at("co_units").as_array() == json::array{"D"});
  CHECK(f.get("operator", id).as_object().count("suggested_unit") == 0);  // nothing left to dispatch
  // The unit filter takes the unit's subtree: the district's holds the bureau's petition, a town's does not.
  CHECK(number(f.as("operator").get("/api/v1/petitions?unit=D-MZ").json(), "total") == 1);
  CHECK(number(f.as("operator").get("/api/v1/petitions?unit=D").json(), "total") == 1);
  CHECK(number(f.as("operator").get("/api/v1/petitions?unit=T1").json(), "total") == 0);

  // Minimum living allowance: the petitioner's town takes it in.
  auto living = f.file(body_with({{"category", R"("minimum_living")"}}));
  REQUIRE(f.act("operator", number(living, "id"), "accept", 1).status == 200);
  CHECK(text(f.get("operator", number(living, "id")).at("suggested_unit"), "code") == "T1");
  // … unless the petition complains about that town: then its parent.
  auto against_town = f.file(body_with(
      {{"category", R"("minimum_living")"}, {"type", R"("complaint")"}, {"complaint", R"({"units":["T1"]})"}}));
  REQUIRE(f.act("operator", number(against_town, "id"), "accept", 1).status == 200);
  auto diverted = f.get("operator", number(against_town, "id")).at("suggested_unit");
  CHECK(text(diverted, "code") == "D");
  CHECK(diverted.at("diverted").as_bool());
  // A category whose department no unit plays: no suggestion, and a dispatch must name the unit.
  auto education = f.file(body_with({{"category", R"("education")"}}));
  REQUIRE(f.act("operator", number(education, "id"), "accept", 1).status == 200);
  CHECK(f.get("operator", number(education, "id")).at("suggested_unit").is_null());
  auto unnamed = f.act("operator", number(education, "id"), "dispatch", 2);
  CHECK(unnamed.status == 422);
  CHECK(field_of(unnamed) == "unit");
}

TEST_CASE("a proxy who knows someone's ID number learns nothing more and changes nothing of their record") {
  Fixture f;
  const auto known_id = id_number("11010519491231002");
  // The person, on record through the hotline.
  auto first =
      f.file(body_with({{"petitioner", (R"({"name":"张三","phone":"138-1234-5678","id_number":")" + known_id +
                                        R"(","unit":"V1","address":"青山区幸福路 8 号","email":"zhang.san@example.cn",)"
                                        R"("preferred_channel":"email"})")
                                           .c_str()}}));
  pg::BlockingConnection db(f.org.db.url());
  auto petitioner_of = [&db](std::int64_t petition) {
    return db.exec("SELECT petitioner_id FROM petitions WHERE id = " + std::to_string(petition)).integer(0, 0);
  };
  const auto person = petitioner_of(number(first, "id"));
  // A proxy sends only the number, a consent and their own e-mail.
  auto filed =
      f.file(body_with({{"petitioner", (R"({"id_number":")" + known_id + R"(","email":"proxy@example.cn"})").c_str()},
                        {"consent", R"({"method":"verbal"})"}}),
             "proxy");
  const auto id = number(filed, "id");
  CHECK(petitioner_of(id) == person);  // linked to the person on record
  for (const auto& seen : {filed, f.get("proxy", id)}) {
    const auto& who = seen.at("petitioner");
    CHECK(who.at("name").is_null());
    CHECK(who.at("address").is_null());
    CHECK(who.at("phone").is_null());
    CHECK(text(who, "email") == "p****@example.cn");  // what the proxy gave
  }
  auto listed = f.as("proxy").get("/api/v1/petitions?mine=true").json().at("items").as_array();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].at("petitioner_name").is_null());
  // The record is as it was: the next reply still goes to the person's own address.
  auto stored = db.exec("SELECT email, name, preferred_channel FROM petitioners WHERE id = " + std::to_string(person));
  CHECK(stored.text(0, 0) == std::string("zhang.san@example.cn"));
  CHECK(stored.text(0, 1) == std::string("张三"));
  CHECK(stored.text(0, 2) == std::string("email"));
  // Staff see the person on record.
  CHECK(text(f.get("operator", id).at("petitioner"), "name") == "张三");
  // Only the hotline files from a call.
  auto from_call =
      f.as("proxy").send("POST", "/api/v1/petitions",
                         body_with({{"call_id", R"("someone-elses-call")"}, {"consent", R"({"method":"verbal"})"}}));
  CHECK(from_call.status == 422);
  CHECK(field_of(from_call) == "call_id");
}

TEST_CASE("an anonymous petitioner's identity is hidden from handling units, shown to the hotline") {
  Fixture f;
  auto p = f.file(body_with(
      {{"anonymous", "true"},
       {"petitioner", R"({"name":"张三","phone":"138-1234-5678","gender":"male","address":"青山区幸福路 8 号 3 单元",)"
                      R"("email":"zhang.san@example.cn","unit":"V1"})"},
       {"proxy", R"({"name":"李监护","relation":"监护人","phone":"13800001111"})"},
       {"consent", R"({"method":"written"})"}}));
  const auto id = number(p, "id");
  CHECK(text(p.at("petitioner"), "name") == "张三");  // the operator who took the call
  REQUIRE(f.act("operator", id, "accept", 1).status == 200);
  REQUIRE(f.act("operator", id, "dispatch", 2, R"(,"unit":"V1")").status == 200);
  auto seen = f.get("v1.handler", id);
  // Nothing that identifies the person: no name, contact, ID, gender, exact address, nor who came with them.
  for (const char* hidden : {"name", "phone", "id_number", "gender", "address", "email", "certificate_number"}) {
    CAPTURE(hidden);
    CHECK(seen.at("petitioner").at(hidden).is_null());
  }
  CHECK(seen.at("proxy").at("name").is_null());
  CHECK(seen.at("proxy").at("phone").is_null());
  // The place the matter concerns stays.
  CHECK(text(seen.at("petitioner").at("unit"), "code") == "V1");
  auto unmask =
      f.as("v1.handler")
          .send("POST", "/api/v1/petitions/" + std::to_string(id) + "/unmask", R"({"reason":"需要联系信访人"})");
  CHECK(unmask.status == 403);
  auto list = f.as("v1.handler").get("/api/v1/petitions").json();
  CHECK(list.at("items").as_array()[0].at("petitioner_name").is_null());
  // The operator may see the full values, with a reason, and that is audited.
  auto full = f.as("operator")
                  .send("POST", "/api/v1/petitions/" + std::to_string(id) + "/unmask", R"({"reason":"回访核实身份"})");
  REQUIRE(full.status == 200);
  CHECK(text(full.json().at("petitioner"), "phone") == "138-1234-5678");
  auto audit = pg::BlockingConnection(f.org.db.url())
                   .exec("SELECT count(*) FROM audit_log WHERE action = 'personal_data.unmasked' AND target_id = $1",
                         {std::to_string(id)});
  CHECK(audit.text(0, 0) == "1");
}

TEST_CASE("a call reaching one petitiond process shows on the screens of operators connected to another") {
  OrgFixture org;
  TestServer first(org), second(org);
  pg::BlockingConnection(org.db.url()).exec(R"(INSERT INTO settings (key, value) VALUES ('cti.token', '"t"'))");
  Session operator_(second.port(), "operator", fixture_password);
  RawConnection stream(second.port());
  stream.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + operator_.cookie() + "\r\n\r\n");
  REQUIRE(stream.read_until(": connected", std::chrono::seconds(5)).find(": connected") != std::string::npos);
  auto ring = http_request(first.port(), "POST", "/api/v1/cti/t",
                           R"({"event":"newCall","direction":"in","callId":"x-1","from":"13812345678","to":"12385"})",
                           {{"Content-Type", "application/json"}});
  REQUIRE(ring.status == 200);
  auto pushed = stream.read_until("x-1", std::chrono::seconds(5));
  CHECK(pushed.find("event: call") != std::string::npos);
  CHECK(pushed.find("138****5678") != std::string::npos);
  http_request(first.port(), "POST", "/api/v1/cti/t",
               R"({"event":"hangup","direction":"in","callId":"x-1","cause":"cancel"})",
               {{"Content-Type", "application/json"}});
  CHECK(stream.read_until("call_ended", std::chrono::seconds(5)).find("call_ended") != std::string::npos);
}
