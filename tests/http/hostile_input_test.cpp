// No input gets a 5xx. Every operation of schemas/openapi.yaml is sent, by each kind of user, a corpus of
// hostile values: in each query parameter, each path parameter, and each body field (nested ones too), one
// at a time over the operation's documented example, and as whole bodies. Wrong types, NUL, invalid UTF-8,
// lone surrogates, huge numbers, overlong strings, empty and deep structures, malformed cursors and zones.
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace json = boost::json;

namespace {

struct Operation {
  std::string method, path;
  bool anyone = false;                           // security: [] (no session)
  std::vector<std::string> query;                // query parameter names
  std::vector<std::string> path_params;          // {names} in the path
  std::optional<json::value> example;            // a valid JSON body
  std::vector<std::vector<std::string>> fields;  // body field paths, nested ones included
};

// A YAML node of the document (flow JSON, mostly) as JSON: quoted scalars are strings, plain ones are read.
json::value to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    json::object out;
    for (const auto& item : node) out[item.first.as<std::string>()] = to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    json::array out;
    for (const auto& item : node) out.push_back(to_json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  const auto text = node.as<std::string>();
  if (node.Tag() == "!") return json::string(text);  // quoted
  if (text == "true" || text == "false") return text == "true";
  boost::system::error_code ec;
  auto number = json::parse(text, ec);
  if (!ec && number.is_number()) return number;
  return json::string(text);
}

// Follows a local $ref. (yaml-cpp's Node assignment writes through to the node referred to: reset() rebinds.)
YAML::Node resolve(const YAML::Node& document, const YAML::Node& start_node) {
  YAML::Node node;
  node.reset(start_node);
  while (node.IsMap() && node["$ref"]) {
    const auto ref = node["$ref"].as<std::string>();  // '#/components/schemas/NewPetition'
    YAML::Node at;
    at.reset(document);
    for (std::size_t start = 2; start < ref.size();) {
      auto slash = ref.find('/', start);
      const YAML::Node next = at[ref.substr(start, slash == std::string::npos ? std::string::npos : slash - start)];
      at.reset(next);
      start = slash == std::string::npos ? ref.size() : slash + 1;
    }
    node.reset(at);
  }
  return node;
}

void collect_fields(const YAML::Node& document, const YAML::Node& schema, std::vector<std::string> prefix,
                    std::vector<std::vector<std::string>>& out) {
  auto resolved = resolve(document, schema);
  if (!resolved.IsMap() || !resolved["properties"]) return;
  for (const auto& property : resolved["properties"]) {
    auto path = prefix;
    path.push_back(property.first.as<std::string>());
    out.push_back(path);
    if (path.size() < 3) collect_fields(document, property.second, path, out);
  }
}

std::vector<Operation> operations(const YAML::Node& document) {
  std::vector<Operation> out;
  for (const auto& path_item : document["paths"]) {
    const auto path = path_item.first.as<std::string>();
    for (const auto& entry : path_item.second) {
      const auto method = entry.first.as<std::string>();
      if (method == "parameters") continue;
      Operation op;
      op.method = method;
      op.path = path;
      INFO(method << " " << path);
      const auto& node = entry.second;
      op.anyone = node["security"] && node["security"].IsSequence() && node["security"].size() == 0;
      for (const auto* level : {&path_item.second, &node})
        if ((*level)["parameters"])
          for (const auto& parameter : (*level)["parameters"]) {
            auto p = resolve(document, parameter);
            if (p["in"].as<std::string>() == "query") op.query.push_back(p["name"].as<std::string>());
          }
      for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1))
        op.path_params.push_back(path.substr(at + 1, path.find('}', at) - at - 1));
      const auto body = node["requestBody"];
      const auto content = body ? body["content"] : YAML::Node();
      if (content && content["application/json"]) {
        const auto media = content["application/json"];
        if (media["example"]) op.example = to_json(media["example"]);
        collect_fields(document, media["schema"], {}, op.fields);
      }
      out.push_back(std::move(op));
    }
  }
  return out;
}

// Hostile JSON values, as raw text (invalid UTF-8 cannot be written any other way).
std::vector<std::string> hostile_json() {
  std::string many = "[";
  for (int i = 0; i < 70000; ++i) many += std::string(i ? "," : "") + "\"V1\"";
  many += "]";
  return {"12345",
          "-1",
          "0",
          "1.5",
          "1e308",
          "-1e308",
          "9223372036854775808",
          "-9223372036854775809",
          "true",
          "false",
          "null",
          "[]",
          "{}",
          "[1,2,3]",
          "{\"a\":{\"b\":[1]}}",
          "\"\"",
          "\" \"",
          "\"\\u0000\"",
          "\"a\\u0000b\"",
          "\"\xff\xfe\xc0\x80\"",
          "\"\\ud800\"",
          "\"" + std::string(100000, 'x') + "\"",
          "\"99999999999999999999999\"",
          "\"-1\"",
          "\"garbage|5\"",
          "\"x_5\"",
          "\"2026-02-30\"",
          "\"2026-11-28T09:30:00+ab:cd\"",
          "\"2026-11-28T09:30:00+1x:00\"",
          "\"9999-99-99T99:99:99+99:99\"",
          "\"' OR 1=1 --\"",
          "\"../../etc/passwd\"",
          "\"<script>alert(1)</script>\"",
          "\"\xf0\xa0\x9c\x8e\"",
          "[\"\\u0000\"]",
          many,
          std::string(64, '[') + std::string(64, ']')};
}

// Hostile query or path values, already percent-encoded.
std::vector<std::string> hostile_query() {
  return {"",
          "%00",
          "a%00b",
          "%FF%FE",
          "%C0%80",
          std::string(4000, 'x'),
          "-1",
          "0",
          "99999999999999999999",
          "1e309",
          "NaN",
          "garbage%7C5",
          "x_5",
          "x_",
          "%7C",
          "2026-13-45",
          "%27%20OR%201%3D1",
          "%2Bab%3Acd",
          "%E0%A0",
          "a,b,,c",
          "%ED%A0%80",
          "..%2F..%2Fetc"};
}

std::string placeholder() { return "\x01hostile\x01"; }

// The example with the field at `path` set to the placeholder (made where missing), as JSON text whose
// placeholder is then replaced by the raw hostile value.
std::string body_with(const json::value& base, const std::vector<std::string>& path, const std::string& raw) {
  json::value body = base.is_object() ? base : json::object{};
  json::value* at = &body;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    auto& object = at->as_object();
    if (!object[path[i]].is_object()) object[path[i]] = json::object{};
    at = &object[path[i]];
  }
  at->as_object()[path.back()] = placeholder();
  auto text = json::serialize(body);
  const auto marker = json::serialize(json::value(placeholder()));
  return text.replace(text.find(marker), marker.size(), raw);
}

std::string joined(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) out += (out.empty() ? "" : ".") + part;
  return out;
}

}  // namespace

TEST_CASE("no hostile value in any parameter or field of any operation gets a 5xx") {
  spdlog::set_level(spdlog::level::off);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  db.exec(R"(INSERT INTO settings (key, value) VALUES ('cti.token', '"cti-secret"'))");
  // The same {token} opens the SMS gateway's address.
  db.exec(R"(INSERT INTO settings (key, value) VALUES ('sms.gateway',)"
          R"( '{"url": "http://127.0.0.1:9/sms", "inbound_token": "cti-secret"}'))");
  const auto sms_reply = db.exec(
                               "INSERT INTO sms_replies (from_number, text, received_at, outcome)"
                               " VALUES ('13700000000', '什么时候有结果', now(), 'unrecognised') RETURNING id")
                             .integer(0, 0);
  TestServer server(org, {"--notify-interval", "0"});
  const auto port = server.port();
  Session admin(port, "admin", fixture_password);

  // Things for the path parameters to name, apart from the sessions' own users and units.
  auto made = [&](const std::string& target, const std::string& body) {
    auto reply = admin.send("POST", target, body);
    INFO(target << " " << reply.body);
    REQUIRE(reply.status == 201);
    return reply.json();
  };
  made("/api/v1/units", R"({"code":"VX","name":"靶社区","parent":"T2"})");
  const auto victim =
      made("/api/v1/users", R"({"login":"victim","display_name":"靶用户","unit":"VX","roles":["handler"],)"
                            R"("password":"victim-password-42"})")
          .at("id")
          .to_number<std::int64_t>();
  const auto token =
      made("/api/v1/tokens", R"({"name":"靶令牌","user_id":)" + std::to_string(victim) + R"(,"scopes":["read"]})")
          .at("id")
          .to_number<std::int64_t>();
  const auto webhook = made("/api/v1/webhooks", R"({"name":"靶","url":"https://hotline.example.cn/hook"})")
                           .at("id")
                           .to_number<std::int64_t>();
  Session op(port, "operator", fixture_password);
  auto filed =
      op.send("POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"other","subject":"轮椅维修","content":"轮椅坏了。",)"
              R"("petitioner":{"name":"张三","phone":"13812345678","unit":"V1"}})");
  REQUIRE(filed.status == 201);
  const auto petition = filed.json().at("id").to_number<std::int64_t>();
  auto attached = op.request("POST", "/api/v1/petitions/" + std::to_string(petition) + "/attachments?name=a.txt",
                             "a note", {{"Content-Type", "text/plain"}});
  REQUIRE(attached.status == 201);
  auto portal = op.send("POST", "/api/v1/portal/petitions",
                        R"({"type":"help","category":"other","subject":"轮椅维修","content":"轮椅坏了。",)"
                        R"("petitioner":{"name":"张三","phone":"13812345678"}})");
  REQUIRE(portal.status == 201);
  const std::string upload_url(portal.json().at("upload_url").as_string());
  const std::map<std::string, std::string> path_values{
      {"upload_token", upload_url.substr(upload_url.rfind('/') + 1)},
      {"petition_id", std::to_string(petition)},
      {"attachment_id", std::to_string(attached.json().at("id").to_number<std::int64_t>())},
      {"unit_code", "VX"},
      {"user_id", std::to_string(victim)},
      {"token_id", std::to_string(token)},
      {"webhook_id", std::to_string(webhook)},
      {"transition", "return"},
      {"phone_id", "13700000000"},
      {"delivery_id", "1"},
      {"calendar", "cn"},
      {"year", "2027"},
      {"token", "cti-secret"},
      {"call_id", "hostile-call"},
      {"reply_id", std::to_string(sms_reply)},
      {"session_id", "0123456789abcdef"},
      {"service_code", "subsidies.json"},
      {"service_request_id", "20260101-AAAA-BBBB-CCCC.xml"},
      {"resource", "anything.json"},
      {"id", "anything.xml"}};

  std::ifstream file(std::string(PETITIOND_SOURCE_DIR) + "/schemas/openapi.yaml");
  const YAML::Node document =
      YAML::Load(std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>()));
  std::vector<Operation> all;
  try {
    all = operations(document);
  } catch (const std::exception& e) {
    FAIL("reading the operations: " << e.what());
  }
  REQUIRE(all.size() > 50);

  std::vector<std::pair<std::string, Session>> users;
  for (const char* login : {"admin", "operator", "district.manager", "v1.handler", "proxy"})
    users.emplace_back(login, Session(port, login, fixture_password));

  std::vector<std::string> failures;
  int sent = 0;
  auto expect_no_5xx = [&](const std::string& who, const Operation& o, const std::string& target,
                           const std::string& body, const std::string& what) {
    const std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    std::string method = o.method;
    for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    HttpReply reply;
    ++sent;
    try {
      if (who.empty()) reply = http_request(port, method, target, body, headers);
      for (auto& [login, session] : users)
        if (login == who) reply = session.request(method, target, body, headers);
    } catch (const std::exception&) {
      reply.status = 0;  // the connection broke: as bad as a 5xx
    }
    if (reply.status >= 500 || reply.status == 0)
      failures.push_back(std::to_string(reply.status) + " " + o.method + " " + o.path + " as " +
                         (who.empty() ? "anyone" : who) + ": " + what + " -> " + reply.body.substr(0, 200));
  };

  const auto json_values = hostile_json();
  const auto query_values = hostile_query();
  for (const auto& o : all) {
    // Streams never end, and log-out would end the sessions the rest needs.
    if (o.path == "/api/v1/events" || o.path == "/api/v1/auth/logout") continue;
    std::string target = o.path;
    for (const auto& name : o.path_params) {
      auto at = target.find("{" + name + "}");
      target.replace(at, name.size() + 2, path_values.count(name) ? path_values.at(name) : "1");
    }
    const std::vector<std::string> who =
        o.anyone ? std::vector<std::string>{""}
                 : std::vector<std::string>{"admin", "operator", "district.manager", "v1.handler", "proxy"};
    const std::string base =
        o.example ? json::serialize(*o.example) : (o.method == "get" || o.method == "delete" ? "" : "{}");
    for (const auto& user : who) {
      for (const auto& name : o.query)
        for (const auto& value : query_values)
          expect_no_5xx(user, o, target + "?" + name + "=" + value, base, "query " + name + "=" + value.substr(0, 40));
      for (const auto& name : o.path_params)
        for (const auto& value : query_values) {
          if (value.empty()) continue;
          std::string spoiled = o.path;
          for (const auto& other : o.path_params) {
            auto at = spoiled.find("{" + other + "}");
            spoiled.replace(at, other.size() + 2,
                            other == name ? value : (path_values.count(other) ? path_values.at(other) : "1"));
          }
          expect_no_5xx(user, o, spoiled, base, "path " + name + "=" + value.substr(0, 40));
        }
      if (o.method == "get" || o.method == "delete") continue;
      for (const auto& field : o.fields)
        for (const auto& value : json_values)
          expect_no_5xx(user, o, target, body_with(o.example.value_or(json::object{}), field, value),
                        "field " + joined(field) + "=" + value.substr(0, 40));
      for (const auto& whole :
           {std::string(), std::string("null"), std::string("[]"), std::string("\"x\""), std::string("{"),
            std::string("{\"\xff\":1}"), std::string(5000, '[') + std::string(5000, ']')})
        expect_no_5xx(user, o, target, whole, "body " + whole.substr(0, 20));
    }
  }
  CAPTURE(sent);
  for (std::size_t i = 0; i < failures.size() && i < 30; ++i) UNSCOPED_INFO(failures[i]);
  CHECK(failures.empty());
  CHECK(http_request(port, "GET", "/healthz").status == 200);
}
