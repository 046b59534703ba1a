// Open311 GeoReport v2 as a client such as FixMyStreet drives it: discovery, services and their
// definitions, filing with an api_key, following by id, token and filters, in JSON and XML, with the spec's
// error list for every refusal.
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

std::string text(const json::value& v, const char* key) { return std::string(v.at(key).as_string()); }

struct Fixture {
  OrgFixture org;
  TestServer server{org};
  pg::BlockingConnection db{org.db.url()};
  std::string key;

  Fixture() {
    Session admin(server.port(), "admin", fixture_password);
    auto created = admin.send("POST", "/api/v1/tokens",
                              R"({"name":"FixMyStreet","user_id":)" + std::to_string(org.user_ids.at("operator")) +
                                  R"(,"scopes":["portal"]})");
    REQUIRE(created.status == 201);
    key = std::string(created.json().at("token").as_string());
  }
  HttpReply get(const std::string& target) { return http_request(server.port(), "GET", "/open311/v2/" + target); }
  HttpReply post(const std::string& target, const std::string& form) {
    return http_request(server.port(), "POST", "/open311/v2/" + target, form,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
};

// A FixMyStreet-style report, form encoded, with `extra` fields appended.
std::string report(const std::string& key, const std::string& extra = "") {
  return "api_key=" + key +
         "&service_code=subsidies&lat=30.572&long=104.066&address_string=%E4%B8%80%E6%9D%91%E6%9D%91%E5%8F%A3"
         "&description=%E6%9D%91%E5%8F%A3%E6%97%A0%E9%9A%9C%E7%A2%8D%E5%9D%A1%E9%81%93%E6%8D%9F%E5%9D%8F%EF%BC%8C"
         "%E8%BD%AE%E6%A4%85%E6%97%A0%E6%B3%95%E9%80%9A%E8%A1%8C%E3%80%82"
         "&first_name=%E4%B8%89&last_name=%E5%BC%A0&phone=13812345678&email=zhang%40example.cn"
         "&attribute[type]=help&attribute[urgency]=normal&media_url=https%3A%2F%2Fexample.cn%2Fp.jpg" +
         extra;
}

}  // namespace

TEST_CASE("an Open311 client discovers, reads the services, files and follows a request, in JSON and XML") {
  Fixture f;
  auto discovery = f.get("discovery.xml");
  REQUIRE(discovery.status == 200);
  CHECK(discovery.header("content-type") == "text/xml; charset=utf-8");
  CHECK(discovery.body.find("<discovery>") != std::string::npos);
  CHECK(discovery.body.find("<specification>http://wiki.open311.org/GeoReport_v2</specification>") !=
        std::string::npos);
  CHECK(discovery.body.find("<formats><format>application/json</format><format>text/xml</format></formats>") !=
        std::string::npos);

  auto services = f.get("services.json");
  REQUIRE(services.status == 200);
  bool subsidies = false;
  const auto service_list = services.json().as_array();
  for (const auto& s : service_list)
    if (text(s, "service_code") == "subsidies") {
      subsidies = true;
      CHECK(s.at("metadata").as_bool());
      CHECK(text(s, "type") == "realtime");
    }
  CHECK(subsidies);
  auto services_xml = f.get("services.xml");
  CHECK(services_xml.body.find("<services><service><service_code>") != std::string::npos);

  auto definition = f.get("services/subsidies.json").json();
  CHECK(text(definition, "service_code") == "subsidies");
  auto attributes = definition.at("attributes").as_array();
  REQUIRE(attributes.size() == 3);
  CHECK(text(attributes[0], "code") == "type");
  CHECK(text(attributes[0], "datatype") == "singlevaluelist");
  bool help = false;
  for (const auto& v : attributes[0].at("values").as_array())
    help |= text(v, "key") == "help" && text(v, "name") == "求助";
  CHECK(help);
  auto definition_xml = f.get("services/subsidies.xml");
  CHECK(definition_xml.body.find("<service_definition><service_code>subsidies</service_code><attributes><attribute>") !=
        std::string::npos);
  CHECK(definition_xml.body.find("<values><value><key>") != std::string::npos);

  // Filing: the portal's channel, the description as the content, the place kept with it.
  auto filed = f.post("requests.json", report(f.key, "&account_id=fms-42"));
  INFO(filed.body);
  REQUIRE(filed.status == 201);
  auto request = filed.json().as_array().at(0);
  const auto id = text(request, "service_request_id");
  CHECK(request.as_object().count("token") == 0);  // an id, never both
  CHECK(text(request, "account_id") == "fms-42");
  auto stored = f.db.exec("SELECT channel, content, category, type FROM petitions WHERE tracking_code = $1", {id});
  REQUIRE(stored.rows() == 1);
  CHECK(stored.text(0, 0) == "web");
  CHECK(std::string(stored.text(0, 1)).starts_with("村口无障碍坡道损坏，轮椅无法通行。"));
  CHECK(std::string(stored.text(0, 1)).find("一村村口") != std::string::npos);
  CHECK(f.db.exec("SELECT name FROM petitioners p JOIN petitions q ON q.petitioner_id = p.id WHERE tracking_code = $1",
                  {id})
            .text(0, 0) == "张三");

  // Following it: by id, in a list by ids, by token; open with its deadline, never the person.
  auto one = f.get("requests/" + id + ".json");
  REQUIRE(one.status == 200);
  auto shown = one.json().as_array().at(0);
  CHECK(text(shown, "status") == "open");
  CHECK(text(shown, "service_code") == "subsidies");
  CHECK(text(shown, "description").starts_with("村口无障碍坡道损坏"));
  const auto due = f.db.exec("SELECT iso_local(due_at) FROM petitions WHERE tracking_code = $1", {id}).text(0, 0);
  CHECK(text(shown, "expected_datetime") == due);
  for (const auto* personal : {"13812345678", "138****5678", "张三", "zhang@example.cn"})
    CHECK(one.body.find(personal) == std::string::npos);
  auto one_xml = f.get("requests/" + id + ".xml");
  CHECK(one_xml.body.find("<service_requests><request><service_request_id>" + id) != std::string::npos);
  auto second = f.post("requests.xml", report(f.key));
  REQUIRE(second.status == 201);
  CHECK(second.body.find("<service_requests><request><service_request_id>") != std::string::npos);
  auto both = f.get("requests.json?service_request_id=" + id + ",nope-1").json().as_array();
  CHECK(both.size() == 1);
  CHECK(f.get("requests.json").json().as_array().size() == 2);
  CHECK(f.get("requests.json?status=closed").json().as_array().empty());
  CHECK(f.get("requests.json?service_code=subsidies&status=open").json().as_array().size() == 2);
  auto token = f.get("tokens/" + id + ".json").json().as_array().at(0);
  CHECK(text(token, "service_request_id") == id);

  // Closed: status closed, updated at the close, no expected time.
  f.db.exec("UPDATE petitions SET closed_at = received_at + interval '3 days' WHERE tracking_code = $1", {id});
  auto closed = f.get("requests/" + id + ".json").json().as_array().at(0);
  CHECK(text(closed, "status") == "closed");
  CHECK(closed.at("expected_datetime").is_null());
  CHECK(f.get("requests.json?status=closed").json().as_array().size() == 1);
}

TEST_CASE("Open311 refusals come as the spec's error list: 403 for the key, 404 for the unknown, 400 otherwise") {
  Fixture f;
  auto code_of = [](const HttpReply& reply) { return reply.json().as_array().at(0).at("code").as_int64(); };
  auto no_key = f.post("requests.json", report(""));
  CHECK(no_key.status == 403);
  CHECK(code_of(no_key) == 403);
  auto no_key_xml = f.post("requests.xml", report("wrong-key"));
  CHECK(no_key_xml.status == 403);
  CHECK(no_key_xml.body.find("<errors><error><code>403</code><description>") != std::string::npos);
  // A token without the portal scope may not file.
  Session admin(f.server.port(), "admin", fixture_password);
  auto reader = admin.send("POST", "/api/v1/tokens",
                           R"({"name":"reader","user_id":)" + std::to_string(f.org.user_ids.at("operator")) +
                               R"(,"scopes":["read","write"]})");
  CHECK(f.post("requests.json", report(std::string(reader.json().at("token").as_string()))).status == 403);

  CHECK(f.get("services/no_such_service.json").status == 404);
  CHECK(code_of(f.get("services/no_such_service.json")) == 404);
  CHECK(f.get("requests/20260101-AAAA-BBBB-CCCC.json").status == 404);
  CHECK(f.get("tokens/nope.json").status == 404);
  CHECK(f.get("nothing.json").status == 404);
  CHECK(code_of(f.get("nothing.json")) == 404);
  CHECK(f.get("services/subsidies").status == 404);  // no format
  CHECK(f.get("services.json?jurisdiction_id=elsewhere").status == 404);
  f.db.exec(R"(UPDATE settings SET value = '"cn-12385"' WHERE key = 'open311.jurisdiction_id')");
  CHECK(f.get("services.json?jurisdiction_id=cn-12385").status == 200);
  CHECK(f.post("requests.json", report(f.key, "&service_code=nope")).status == 404);

  struct Bad {
    std::string extra;
    std::string names;
  };
  const Bad bad[] = {
      {"&description=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "description"},
      {"&description=", "description"},
      {"&lat=95", "lat"},
      {"&lat=abc", "lat"},
      {"&attribute[type]=gossip", "attribute[type]"},
      {"&attribute[colour]=red", "attribute[colour]"},
      {"&phone=12", "phone"},
      {"&first_name=&last_name=", "first_name"},
      {"&description=" + std::string(4001, 'a'), "description"},
      {"&description=a%00b", "description"},
  };
  for (const auto& b : bad) {
    auto reply = f.post("requests.json", report(f.key, b.extra));
    CAPTURE(b.extra.substr(0, 60), reply.body);
    CHECK(reply.status == 400);
    CHECK(code_of(reply) == 400);
    CHECK(text(reply.json().as_array().at(0), "description").starts_with(b.names));
  }
  // No location at all.
  auto nowhere = f.post("requests.json",
                        "api_key=" + f.key + "&service_code=subsidies&description=x&first_name=a&phone=13812345678");
  CHECK(nowhere.status == 400);
  // A range longer than 90 days; a date without a zone.
  CHECK(f.get("requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z").status == 400);
  CHECK(f.get("requests.json?start_date=2026-01-01").status == 400);
  CHECK(f.db.exec("SELECT count(*) FROM petitions").text(0, 0) == "0");

  // Only web petitions that accuse nobody are public: not a hotline call, not a complaint.
  Session op(f.server.port(), "operator", fixture_password);
  auto hotline =
      op.send("POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"subsidies","subject":"电话","content":"电话反映。",)"
              R"("petitioner":{"name":"李四","phone":"13900001111"}})");
  REQUIRE(hotline.status == 201);
  CHECK(f.get("requests/" + std::string(hotline.json().at("tracking_code").as_string()) + ".json").status == 404);
  auto complaint = f.post("requests.json", report(f.key, "&attribute[type]=complaint"));
  REQUIRE(complaint.status == 201);
  CHECK(f.get("requests/" + text(complaint.json().as_array().at(0), "service_request_id") + ".json").status == 404);

  // The portal's rate limit, with Retry-After.
  f.db.exec(
      R"(UPDATE settings SET value = '{"submissions": 1, "lookups": 30, "per_minutes": 60}' WHERE key = 'portal.rate_limit')");
  auto limited = f.post("requests.json", report(f.key));
  CHECK(limited.status == 429);
  CHECK(code_of(limited) == 429);
  CHECK(!limited.header("retry-after").empty());
}
