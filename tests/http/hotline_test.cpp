// The telephone interface replayed with the request shapes Zammad's own specs and documentation send
// (spec/requests/integration/cti_spec.rb, the Generic CTI pages: curl --data, curl --form, JSON), the caller
// log's rules of Zammad's Cti::Log, the screen-pop's targeting, and the callback list of missed calls.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace json = boost::json;

namespace {

constexpr const char* token = "zammad-style-token-0123456789";

std::string text(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

struct Fixture {
  OrgFixture org;
  TestServer server{org};
  pg::BlockingConnection db{org.db.url()};
  std::map<std::string, Session> sessions;

  Fixture() {
    db.exec(std::string("INSERT INTO settings (key, value) VALUES ('cti.token', '\"") + token + "\"')");
    // A second operator, known to the telephone system by the name 王芳.
    db.exec(
        "INSERT INTO users (login, display_name, phone, unit_id, roles, password_hash) SELECT 'operator2', '王芳',"
        " '13900000011', unit_id, '{operator}', password_hash FROM users WHERE login = 'operator'");
  }
  Session& as(const std::string& login) {
    auto it = sessions.find(login);
    if (it == sessions.end()) it = sessions.emplace(login, Session(server.port(), login, fixture_password)).first;
    return it->second;
  }
  HttpReply cti(const std::string& body, const std::string& type = "application/json", const std::string& query = "") {
    return http_request(server.port(), "POST", std::string("/api/v1/cti/") + token + query, body,
                        {{"Content-Type", type}});
  }
  HttpReply form(const std::string& body) { return cti(body, "application/x-www-form-urlencoded"); }
  pg::Result call(const std::string& call_id) {
    return db.exec(
        "SELECT direction, from_key, to_key, users::text, answered_at IS NOT NULL, ended_at IS NOT NULL, cause, missed,"
        " voicemail, (SELECT login FROM users WHERE id = answered_by),"
        " extract(epoch FROM coalesce(answered_at, ended_at) - started_at)::int,"
        " extract(epoch FROM ended_at - answered_at)::int, queue FROM calls WHERE call_id = $1",
        {call_id});
  }
  void advance(int seconds) { server.clock().advance(std::chrono::seconds(seconds)); }
};

// A multipart/form-data body as curl --form writes it.
std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& boundary) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  return body + "--" + boundary + "--\r\n";
}

// An operator's screen: the event stream of a signed-in operator.
struct Screen {
  RawConnection connection;
  Screen(unsigned short port, const Session& session) : connection(port) {
    connection.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: " + session.cookie() + "\r\n\r\n");
    connection.read_until(": connected", std::chrono::seconds(5));
  }
  // Everything the stream brought, once `marker` has arrived.
  std::string until(const std::string& marker) { return connection.read_until(marker, std::chrono::seconds(5)); }
};

}  // namespace

TEST_CASE("every request shape Zammad accepts is accepted: form with brackets, multipart, query, call_id, any case") {
  Fixture f;
  // curl --data, as the Generic CTI documentation writes it: unescaped user[] brackets, callId.
  auto data =
      f.form("event=newCall&from=493055571600&to=4930609854180&direction=in&callId=f0a1&user[]=Alice&user[]=Bob");
  CHECK(data.status == 200);
  CHECK(data.body == "{}");
  CHECK(f.call("f0a1").text(0, 3) == "{Alice,Bob}");
  // rack's own encoding (Zammad's request spec): call_id, escaped brackets, '+' for spaces.
  auto rack = f.form(
      "event=newCall&direction=in&from=4912347114711&to=4930600000000&call_id=4991155921769858278-1"
      "&user%5B%5D=user+1&user%5B%5D=user+2");
  CHECK(rack.status == 200);
  CHECK(f.call("4991155921769858278-1").text(0, 3) == "{\"user 1\",\"user 2\"}");
  // curl --form: multipart/form-data.
  auto multi = f.cti(multipart({{"event", "answer"}, {"direction", "in"}, {"callId", "f0a1"}, {"user[]", "Alice"}},
                               "------------------------d74496d66958873e"),
                     "multipart/form-data; boundary=------------------------d74496d66958873e");
  CHECK(multi.status == 200);
  CHECK(f.call("f0a1").text(0, 4) == "t");
  // Every parameter in the URL query, no body.
  auto query = f.cti("", "", "?event=hangup&direction=in&callId=f0a1&cause=normalClearing&user[]=Alice");
  CHECK(query.status == 200);
  CHECK(f.call("f0a1").text(0, 6) == "normalClearing");
  // Media types are matched whatever their case.
  auto upper = f.cti(R"({"event":"newCall","direction":"in","callId":"c-upper","from":"13812345678","to":"12385"})",
                     "Application/JSON; Charset=UTF-8");
  CHECK(upper.status == 200);
  CHECK(f.call("c-upper").rows() == 1);
  // callIds up to the documented 250 characters.
  const std::string long_id(250, 'x');
  CHECK(f.cti(R"({"event":"newCall","direction":"in","callId":")" + long_id + R"(","from":"1","to":"2"})").status ==
        200);
  CHECK(f.call(long_id).rows() == 1);
  auto too_long = f.cti(R"({"event":"newCall","direction":"in","callId":")" + long_id + R"(y","from":"1"})");
  CHECK(too_long.status == 422);
  CHECK(text(too_long.json(), "error") == "Invalid callId!");
  // Any hangup cause is stored; the known ones drive the log.
  CHECK(f.cti(R"({"event":"hangup","direction":"in","callId":"c-upper","cause":"answeredElsewhere"})").status == 200);
  CHECK(f.call("c-upper").text(0, 6) == "answeredElsewhere");
  CHECK(f.call("c-upper").text(0, 7) == "t");  // unanswered, not forwarded: missed
}

TEST_CASE("NUL bytes and control characters are refused with 422 naming the field, never a 500") {
  Fixture f;
  auto json_nul = f.cti(R"({"event":"newCall","direction":"in","callId":"n1","from":"138\u0000"})");
  CHECK(json_nul.status == 422);
  CHECK(text(json_nul.json(), "error") == "Invalid from!");
  auto form_nul = f.form("event=newCall&direction=in&callId=n%002&from=1");
  CHECK(form_nul.status == 422);
  CHECK(text(form_nul.json(), "error") == "Invalid callId!");
  auto key_nul = f.form("event=newCall&direction=in&callId=n3&fr%00om=1");
  CHECK(key_nul.status == 422);
  CHECK(text(key_nul.json(), "error") == "Invalid parameter!");
  auto query_nul = f.cti("", "", "?event=newCall&direction=in&callId=n4&user[]=%00");
  CHECK(query_nul.status == 422);
  CHECK(text(query_nul.json(), "error") == "Invalid user!");
  auto multi_nul =
      f.cti(multipart({{"event", "newCall"}, {"direction", "in"}, {"callId", std::string("n5\0", 3)}}, "b0undary"),
            "multipart/form-data; boundary=b0undary");
  CHECK(multi_nul.status == 422);
  auto token_nul = http_request(f.server.port(), "POST", "/api/v1/cti/abc%00def", "{}");
  CHECK(token_nul.status == 401);
  auto broken_escape = f.form("event=newCall&direction=in&callId=n6&from=%zz");
  CHECK(broken_escape.status == 422);
  CHECK(f.db.exec("SELECT count(*) FROM calls").text(0, 0) == "0");
}

TEST_CASE("the caller log follows Zammad's Cti::Log: late answers, forwarded, voicemail, repeats, agents") {
  Fixture f;
  // Zammad's "does log call", outbound: the agent cancels after 2 s; nobody owes anybody a callback.
  f.form("event=newCall&direction=out&from=4930600000000&to=13812345678&call_id=1234567890-1&user=operator");
  f.advance(2);
  f.form("event=hangup&direction=out&call_id=1234567890-1&cause=cancel");
  auto out = f.call("1234567890-1");
  CHECK(out.text(0, 7) == "f");
  CHECK(out.text(0, 10) == "2");  // waited 2 s
  CHECK(out.is_null(0, 11));      // never talked

  // Inbound, answered by an agent named by the number on their desk (compared normalised), then hung up.
  f.form("event=newCall&direction=in&from=13812345678&to=12385&call_id=1234567890-3&user=operator");
  f.advance(3);
  f.form("event=answer&direction=in&call_id=1234567890-3&answeringNumber=%2B86%20139-0000-0009");
  auto answered = f.call("1234567890-3");
  CHECK(answered.text(0, 9) == "operator");
  // A second answer naming nobody does not blank the agent, and changes nothing.
  f.form("event=answer&direction=in&call_id=1234567890-3");
  CHECK(f.call("1234567890-3").text(0, 9) == "operator");
  f.advance(60);
  f.form("event=hangup&direction=in&call_id=1234567890-3&cause=normalClearing");
  auto done = f.call("1234567890-3");
  CHECK(done.text(0, 7) == "f");
  CHECK(done.text(0, 10) == "3");
  CHECK(done.text(0, 11) == "60");
  // The answer Zammad's spec sends after the hangup, as JSON: nothing changes.
  f.advance(1);
  CHECK(f.cti(R"({"event":"answer","direction":"in","call_id":"1234567890-3"})").status == 200);
  CHECK(f.call("1234567890-3").text(0, 11) == "60");

  // A missed call stays missed when a late answer arrives.
  f.form("event=newCall&direction=in&from=13812345678&to=12385&call_id=1234567890-5&user=user+1,user+2");
  f.advance(20);
  f.form("event=hangup&direction=in&call_id=1234567890-5&cause=normalClearing");
  f.form("event=answer&direction=in&call_id=1234567890-5&answeringNumber=operator");
  auto missed = f.call("1234567890-5");
  CHECK(missed.text(0, 4) == "f");
  CHECK(missed.text(0, 7) == "t");
  CHECK(missed.text(0, 10) == "20");  // the caller gave up after 20 s
  CHECK(missed.text(0, 3) == "{\"user 1,user 2\"}");

  // Answered by the voicemail: missed. Forwarded unanswered: not missed.
  f.form("event=newCall&direction=in&from=13812345678&to=12385&call_id=1234567890-4&user[]=user+1&user[]=user+2");
  f.form("event=answer&direction=in&call_id=1234567890-4&user=voicemail");
  f.form("event=hangup&direction=in&call_id=1234567890-4&cause=normalClearing");
  CHECK(f.call("1234567890-4").text(0, 8) == "t");
  CHECK(f.call("1234567890-4").text(0, 7) == "t");
  f.form("event=newCall&direction=in&from=13812345678&to=12385&call_id=fw-1");
  f.form("event=hangup&direction=in&call_id=fw-1&cause=forwarded");
  CHECK(f.call("fw-1").text(0, 7) == "f");

  // Anonymous, with a queue; `user` names find the agent on answer.
  f.form("event=newCall&direction=in&from=anonymous&to=12385&call_id=1234567890-7&queue=some_queue_name");
  f.form("event=answer&direction=in&call_id=1234567890-7&user=%E7%8E%8B%E8%8A%B3");
  auto anonymous = f.call("1234567890-7");
  CHECK(anonymous.is_null(0, 1));
  CHECK(anonymous.text(0, 9) == "operator2");
  CHECK(anonymous.text(0, 12) == "some_queue_name");

  // A hangup of a call never reported as new is logged from what it carries, not lost.
  CHECK(f.form("event=hangup&direction=in&from=13700000001&call_id=lone-1&cause=busy").status == 200);
  CHECK(f.call("lone-1").text(0, 7) == "t");
}

TEST_CASE("a ringing call goes to the operators it names, else to every free operator, and leaves when answered") {
  Fixture f;
  Screen one(f.server.port(), f.as("operator"));
  Screen two(f.server.port(), f.as("operator2"));
  // Named: only 王芳 (operator2) is offered the call.
  f.form("event=newCall&direction=in&from=13812345678&to=12385&callId=named-1&user[]=%E7%8E%8B%E8%8A%B3");
  two.until("named-1");
  // Named by nobody: both free operators.
  f.form("event=newCall&direction=in&from=13812345679&to=12385&callId=free-1");
  CHECK(one.until("free-1").find("named-1") == std::string::npos);
  two.until("free-1");
  // The same newCall again (the telephone system retries): nothing changes, nothing is pushed.
  f.form("event=newCall&direction=in&from=13812345679&to=12385&callId=free-1");
  // operator answers free-1: everyone's screen hears it, so the others drop it.
  f.form("event=answer&direction=in&callId=free-1&answeringNumber=operator");
  auto answered_two = two.until("call_answered");
  CHECK(answered_two.find(R"("answered_by":)" + std::to_string(f.org.user_ids.at("operator"))) != std::string::npos);
  // operator is on a call now: the next call for nobody in particular goes to operator2 only.
  f.form("event=newCall&direction=in&from=13812345670&to=12385&callId=free-2");
  auto seen_two = two.until("free-2");
  f.form("event=hangup&direction=in&callId=free-1&cause=normalClearing");
  auto seen_one = one.until("call_ended");
  CHECK(seen_one.find("free-2") == std::string::npos);
  // The retried newCall pushed nothing: free-1 rang once on each screen.
  auto rings = [](const std::string& seen, const std::string& id) {
    std::size_t n = 0;
    for (auto at = seen.find("event: call\ndata: {\"call_id\":\"" + id); at != std::string::npos;
         at = seen.find("event: call\ndata: {\"call_id\":\"" + id, at + 1))
      ++n;
    return n;
  };
  CHECK(rings(seen_two, "free-1") == 1);
  CHECK(rings(seen_one, "free-1") == 1);
  CHECK(seen_two.find("13812345679") == std::string::npos);  // masked on the screen
}

TEST_CASE("outbound calls: the citizen is the callee, filed from the call, masked, and callbacks return missed calls") {
  Fixture f;
  f.form("event=newCall&direction=in&from=13812345678&to=12385&callId=m-1");
  f.advance(10);
  f.form("event=hangup&direction=in&callId=m-1&cause=cancel");
  f.advance(60);
  f.form("event=newCall&direction=in&from=13911112222&to=12385&callId=m-2");
  f.form("event=hangup&direction=in&callId=m-2&cause=noAnswer");
  auto list = f.as("operator").get("/api/v1/calls/to-return");
  REQUIRE(list.status == 200);
  auto calls = list.json().at("calls").as_array();
  REQUIRE(calls.size() == 2);
  CHECK(text(calls[0], "call_id") == "m-1");  // oldest first
  CHECK(text(calls[0], "from") == "138****5678");
  CHECK(calls[0].at("wait_seconds").as_int64() == 10);
  CHECK(f.as("v1.handler").get("/api/v1/calls/to-return").status == 403);

  // The operator calls the first one back: the log shows it returned by that call.
  f.advance(300);
  CHECK(f.form("event=newCall&direction=out&from=12385&to=138%201234%205678&callId=back-1&user=operator").status ==
        200);
  auto after = f.as("operator").get("/api/v1/calls/to-return").json().at("calls").as_array();
  REQUIRE(after.size() == 1);
  CHECK(text(after[0], "call_id") == "m-2");
  auto log = f.as("operator").get("/api/v1/calls").json().at("calls").as_array();
  for (const auto& call : log)
    if (text(call, "call_id") == "m-1") CHECK(text(call, "callback_call_id") == "back-1");
  // Filed from the outbound call: the petitioner's number is the callee's, not the hotline's.
  auto filed =
      f.as("operator")
          .send(
              "POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"subsidies","subject":"回拨登记","content":"回拨时反映补贴问题。",)"
              R"("call_id":"back-1","petitioner":{"name":"张三"}})");
  INFO(filed.body);
  REQUIRE(filed.status == 201);
  CHECK(text(filed.json().at("petitioner"), "phone") == "138****5678");
  CHECK(f.db.exec("SELECT phone_key FROM petitioners WHERE name = '张三'").text(0, 0) == "13812345678");
  CHECK(log.front().at("to") == json::value("138****5678"));

  // By hand: the second one is marked called back; a second time there is nothing to mark.
  auto marked = f.as("operator").send("POST", "/api/v1/calls/m-2/called-back", "");
  REQUIRE(marked.status == 200);
  CHECK(text(marked.json(), "called_back_by") == "User operator");
  CHECK(f.as("operator").send("POST", "/api/v1/calls/m-2/called-back", "").status == 404);
  CHECK(f.as("operator").get("/api/v1/calls/to-return").json().at("calls").as_array().empty());
  CHECK(f.db.exec("SELECT count(*) FROM audit_log WHERE action = 'call.called_back'").text(0, 0) == "1");
}

TEST_CASE(
    "hotline figures: offered, answered, answer rate, abandoned, waits and callbacks in time, by day and operator") {
  Fixture f;
  f.form("event=newCall&direction=in&from=13812345678&to=12385&callId=k-1");
  f.advance(10);
  f.form("event=answer&direction=in&callId=k-1&answeringNumber=operator");
  f.advance(100);
  f.form("event=hangup&direction=in&callId=k-1&cause=normalClearing");
  f.form("event=newCall&direction=in&from=13911112222&to=12385&callId=k-2");
  f.advance(30);
  f.form("event=hangup&direction=in&callId=k-2&cause=cancel");
  f.advance(600);
  f.form("event=newCall&direction=out&from=12385&to=13911112222&callId=k-back&user=operator");
  auto report = f.as("district.manager").get("/api/v1/reports/hotline?group_by=operator");
  INFO(report.body);
  REQUIRE(report.status == 200);
  auto total = report.json().at("total");
  CHECK(total.at("offered").as_int64() == 2);
  CHECK(total.at("answered").as_int64() == 1);
  CHECK(total.at("answer_rate").as_double() == 0.5);
  CHECK(total.at("abandoned").as_int64() == 1);
  CHECK(total.at("abandoned_wait_seconds").as_double() == 30);
  CHECK(total.at("wait_seconds").as_double() == 10);
  CHECK(total.at("talk_seconds").as_double() == 100);
  CHECK(total.at("returned_in_time").as_int64() == 1);
  auto drill = f.as("district.manager").get("/api/v1/reports/hotline/calls?measure=abandoned").json();
  CHECK(text(drill.at("items").as_array().at(0), "from") == "139****2222");
  auto csv = f.as("district.manager").get("/api/v1/reports/hotline?format=csv");
  CHECK(csv.body.find("接通率") != std::string::npos);
  CHECK(f.as("operator").get("/api/v1/reports/hotline").status == 403);
}
