// Walks every route the application registers, as anonymous and as every fixture user, on resources
// inside and outside each user's jurisdiction, and checks the status and that nothing foreign leaks.
// A new route is covered by being registered; a new path parameter needs a fixture below, or this fails.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "schemas/embedded.hpp"
#include "server/app/application.hpp"
#include "server/auth/secrets.hpp"
#include "server/pg/blocking_connection.hpp"
#include "server/pg/migrations.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;

namespace {

const std::set<std::string> public_routes{"/healthz",
                                          "/readyz",
                                          "/metrics",
                                          "/api/openapi.yaml",
                                          "/api/v1/auth/login",
                                          "/api/v1/cti/{token}",
                                          "/api/v1/portal/categories",
                                          "/api/v1/portal/places",
                                          "/api/v1/portal/attachments/{upload_token}",
                                          "/api/v1/portal/petitions",
                                          "/api/v1/portal/status",
                                          "/api/v1/sms/inbound/{token}"};

// Open311 GeoReport v2: public reads, filing checked by its api_key (open311_test.cpp).
bool open311_route(const std::string& pattern) { return pattern.starts_with("/open311/v2/"); }

// An event stream never ends by itself: it is tested on its own (petition_api_test), only anonymous here.
const std::set<std::string> streaming_routes{"/api/v1/events"};

// Petitions laid out so that every user but the admin sees one and not another (see petitions_for()).
struct PetitionFixture {
  std::map<std::string, std::int64_t> petitions;    // by name: V1, V2, T1, MZ, and X (complains about D)
  std::map<std::string, std::int64_t> attachments;  // one per petition, by the same names
  std::int64_t dead_letter = 0;                     // a notification that failed too often
  std::int64_t webhook = 0;
  std::map<std::string, std::int64_t> sms_replies;  // a text about each petition, by the same names
};

PetitionFixture add_petitions(const OrgFixture& org, const std::filesystem::path& data_dir) {
  pg::BlockingConnection conn(org.db.url());
  auto petitioner = conn.exec(
                            "INSERT INTO petitioners (name, phone, phone_key) VALUES ('测试人', '13700000000',"
                            " '13700000000') RETURNING id")
                        .integer(0, 0);
  const std::string content = "matrix attachment";
  const auto sha = auth::sha256_hex(content);
  std::filesystem::create_directories(data_dir / "attachments" / sha.substr(0, 2));
  std::ofstream(data_dir / "attachments" / sha.substr(0, 2) / sha) << content;
  conn.exec("INSERT INTO blocked_callers (phone_key, reason) VALUES ('13700000009', '骚扰')");
  PetitionFixture fixture;
  struct Row {
    const char* name;
    const char* responsible;
    bool proxy;
    const char* complained;
  };
  const Row rows[] = {{"V1", "V1", true, ""},
                      {"V2", "V2", false, ""},
                      {"T1", "T1", false, ""},
                      {"MZ", "D-MZ", false, ""},
                      {"X", "V1", false, "D"}};
  int n = 0;
  for (const auto& row : rows) {
    auto id = conn.exec(
                      "INSERT INTO petitions (tracking_code, channel, workflow, workflow_version, type, category, "
                      "urgency, subject,"
                      " content, state, petitioner_id, intake_unit_id, responsible_unit_id, proxy_user_id, "
                      "complained_unit_ids,"
                      " received_at, updated_at)"
                      " SELECT $1, 'hotline', 'petition', 1, 'help', 'other', 'normal', '测试事项', '测试内容', "
                      "'dispatched', $2,"
                      " (SELECT id FROM units WHERE code = 'D'), (SELECT id FROM units WHERE code = $3), nullif($4, "
                      "'')::bigint,"
                      " CASE WHEN $5 = '' THEN '{}'::bigint[] ELSE ARRAY[(SELECT id FROM units WHERE code = $5)] END, "
                      "now(), now()"
                      " RETURNING id",
                      {"20260101-MATRX" + std::to_string(n++), std::to_string(petitioner), row.responsible,
                       row.proxy ? std::to_string(org.user_ids.at("proxy")) : std::string(), row.complained})
                  .integer(0, 0);
    fixture.petitions[row.name] = id;
    fixture.attachments[row.name] = conn.exec(
                                            "INSERT INTO attachments (petition_id, file_name, content_type, "
                                            "size_bytes, sha256) VALUES ($1, 'a.txt',"
                                            " 'text/plain', $2, $3) RETURNING id",
                                            {std::to_string(id), std::to_string(content.size()), sha})
                                        .integer(0, 0);
  }
  auto outbox = conn.exec(
                        "INSERT INTO outbox (petition_id, audience, topic, state) VALUES ($1, 'petitioner', 'accept',"
                        " 'expanded') RETURNING id",
                        {std::to_string(fixture.petitions.at("V1"))})
                    .integer(0, 0);
  fixture.dead_letter =
      conn.exec(
              "INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, topic, payload, state, "
              "attempts)"
              " VALUES ($1, 'petitioner:1', 'sms', '13900000001', 'accept', '{}', 'dead', 8) RETURNING id",
              {std::to_string(outbox)})
          .integer(0, 0);
  fixture.webhook = conn.exec(
                            "INSERT INTO webhooks (name, url, secret) VALUES ('matrix', 'https://example.cn/hook',"
                            " 'a-secret-of-sixteen-or-more') RETURNING id")
                        .integer(0, 0);
  for (const auto& [name, petition] : fixture.petitions)
    fixture.sms_replies[name] =
        conn.exec(
                "INSERT INTO sms_replies (from_number, from_key, text, received_at, outcome, petition_ids)"
                " VALUES ('13700000000', '13700000000', '什么时候有结果', now(), 'unrecognised', ARRAY[$1::bigint])"
                " RETURNING id",
                {std::to_string(petition)})
            .integer(0, 0);
  return fixture;
}

// The petition each user sees (none for the admin), and one they do not.
std::optional<std::string> own_petition(const std::string& login) {
  static const std::map<std::string, std::string> own{
      {"district.manager", "V1"}, {"t1.manager", "V1"}, {"t2.manager", "V2"},
      {"t1.handler", "T1"},       {"v1.handler", "V1"}, {"v2.handler", "V2"},
      {"mz.handler", "MZ"},       {"operator", "V1"},   {"proxy", "V1"}};
  auto it = own.find(login);
  if (it == own.end()) return std::nullopt;
  return it->second;
}
std::string foreign_petition(const std::string& login) {
  static const std::set<std::string> see_v2{"district.manager", "t2.manager", "v2.handler", "operator"};
  return see_v2.count(login) ? "X" : "V2";  // X complains about the district: nobody there may see it
}

// Users each actor may see, as the organisation fixture is laid out.
std::set<std::string> visible_to(const std::string& login, const OrgFixture& org) {
  std::set<std::string> all;
  for (const auto& [name, id] : org.user_ids) all.insert(name);
  if (login == "admin" || login == "district.manager") return all;
  if (login == "t1.manager") return {"t1.manager", "t1.handler", "v1.handler", "proxy"};
  if (login == "t2.manager") return {"t2.manager", "v2.handler"};
  return {login};
}

struct Probe {
  std::string path;
  bool foreign;  // the resource lies outside the actor's jurisdiction
};

class Matrix {
 public:
  Matrix(const OrgFixture& org, unsigned short port, PetitionFixture petitions)
      : org_(org), port_(port), petitions_(std::move(petitions)) {
    pg::BlockingConnection conn(org.db.url());
    for (const auto& [login, id] : org.user_ids) {
      auto result = conn.exec(
          "INSERT INTO api_tokens (token_hash, name, user_id, scopes, created_by) VALUES ($1::bytea, 'matrix', $2, "
          "'{read,write}', $2) RETURNING id",
          {auth::token_digest("token-" + login), std::to_string(id)});
      token_ids_[login] = result.integer(0, 0);
    }
  }

  // The paths to try for `route` as `login`: own resources, and foreign ones where such exist.
  std::vector<Probe> probes(const http::Route& route, const std::string& login) {
    std::vector<Probe> out;
    for (bool foreign : {true, false}) {
      std::string path;
      bool has_foreign_param = false, possible = true;
      for (const auto& segment : route.segments) {
        path += "/";
        if (segment.front() != '{') {
          path += segment;
          continue;
        }
        auto value = param(segment, login, foreign, has_foreign_param);
        if (!value) possible = false;
        else path += *value;
      }
      if (foreign && !has_foreign_param) continue;  // nothing foreign to try on this route
      if (possible) out.push_back({path, foreign});
    }
    return out;
  }

  std::vector<std::string> foreign_markers(const std::string& login) {
    std::vector<std::string> markers;
    auto visible = visible_to(login, org_);
    for (const auto& [name, id] : org_.user_ids)
      if (!visible.count(name)) markers.push_back("\"login\":\"" + name + "\"");  // a user record
    for (int i = 1; i <= 10; ++i) markers.push_back(fmt_phone(i));                // full phones: masked everywhere
    return markers;
  }

 private:
  static std::string fmt_phone(int i) { return "139000000" + std::string(i < 10 ? "0" : "") + std::to_string(i); }

  // Whose session a probe names: one's own, or (foreign, or asked anonymously) another user's.
  static std::string anonymous_or(const std::string& login, bool foreign) {
    if (login == "anonymous" || foreign) return login == "admin" ? "operator" : "admin";
    return login;
  }

  std::optional<std::string> param(const std::string& segment, const std::string& login, bool foreign,
                                   bool& is_foreign) {
    auto visible = visible_to(login, org_);
    auto someone_foreign = [&]() -> std::optional<std::string> {
      for (const auto& [name, id] : org_.user_ids)
        if (!visible.count(name)) return name;
      return std::nullopt;
    };
    if (segment == "{user_id}") {
      if (!foreign) return std::to_string(org_.user_ids.at(login == "anonymous" ? "admin" : login));
      is_foreign = true;
      auto other = login == "anonymous" ? std::optional<std::string>("admin") : someone_foreign();
      if (!other) return std::nullopt;
      return std::to_string(org_.user_ids.at(*other));
    }
    if (segment == "{token_id}") {
      if (!foreign) return std::to_string(token_ids_.at(login == "anonymous" ? "admin" : login));
      is_foreign = true;
      if (login == "admin" || login == "anonymous") return std::nullopt;  // an admin's view has no foreign token
      return std::to_string(token_ids_.at(login == "operator" ? "proxy" : "operator"));
    }
    if (segment == "{unit_code}") return std::string("T1");
    if (segment == "{calendar}") return std::string("cn");
    if (segment == "{year}") return std::string("2030");  // admins only: an empty body is refused (422)
    if (segment == "{delivery_id}") return std::to_string(petitions_.dead_letter);  // admins only: nothing foreign
    if (segment == "{webhook_id}") return std::to_string(petitions_.webhook);       // admins only too
    if (segment == "{transition}") return std::string("accept");
    if (segment == "{name}") return std::string("petition");  // a workflow
    if (segment == "{setting}") return std::string("digest");
    if (segment == "{version}") return std::string("2");  // a workflow version; admins only: nothing foreign
    if (segment == "{routing_version}" || segment == "{templates_version}") return std::string("0");  // the files'

    if (segment == "{session_id}") {  // the user's own browser session, or another user's
      const std::string owner = anonymous_or(login, foreign);
      if (foreign) is_foreign = true;
      pg::BlockingConnection conn(org_.db.url());
      auto found = conn.exec(
          "SELECT encode(substr(s.token_hash, 1, 8), 'hex') FROM sessions s JOIN users u ON u.id = s.user_id"
          " WHERE u.login = $1 AND s.expires_at > now() ORDER BY s.created_at DESC LIMIT 1",
          {owner});
      if (found.rows() == 0) return std::string("0000000000000000");
      return std::string(found.text(0, 0));
    }
    if (segment == "{call_id}") return std::string("matrix-call");   // operators only; every operator sees all calls
    if (segment == "{phone_id}") return std::string("13700000009");  // blocked in add_petitions(); admins see all
    if (segment == "{petition_id}" || segment == "{attachment_id}" || segment == "{reply_id}") {
      const auto& ids = segment == "{petition_id}"     ? petitions_.petitions
                        : segment == "{attachment_id}" ? petitions_.attachments
                                                       : petitions_.sms_replies;
      if (foreign) {
        is_foreign = true;
        return std::to_string(ids.at(foreign_petition(login)));
      }
      auto own = own_petition(login);
      if (!own) return std::nullopt;
      return std::to_string(ids.at(*own));
    }
    FAIL("no permission-matrix fixture for path parameter " + segment + ": add one in permission_matrix_test.cpp");
    return std::nullopt;
  }

  const OrgFixture& org_;
  unsigned short port_;
  PetitionFixture petitions_;
  std::map<std::string, std::int64_t> token_ids_;
};

}  // namespace

TEST_CASE("every route answers every role and jurisdiction as its rules say, and leaks nothing foreign") {
  spdlog::set_level(spdlog::level::warn);
  OrgFixture org;
  TestServer server(org);
  const auto& application = server.application();
  const auto port = server.port();
  Matrix matrix(org, port, add_petitions(org, server.data_dir()));
  std::vector<std::string> actors{"anonymous"};
  for (const auto& [login, id] : org.user_ids) actors.push_back(login);
  std::map<std::string, Session> sessions;
  for (const auto& [login, id] : org.user_ids) sessions.emplace(login, Session(port, login, fixture_password));
  int checked = 0;

  for (const auto& route : application.router().routes()) {
    if (!route.access.authenticated) {
      CHECK((public_routes.count(route.pattern) || open311_route(route.pattern)));  // added here deliberately
      continue;
    }
    const std::string method(boost::beast::http::to_string(route.method));
    for (const auto& login : actors) {
      const bool anonymous = login == "anonymous";
      if (!anonymous && streaming_routes.count(route.pattern)) continue;
      const auto roles = anonymous ? RoleSet{} : org.actor(login).roles;
      for (const auto& probe : matrix.probes(route, login)) {
        CAPTURE(method, route.pattern, probe.path, login, probe.foreign);
        // A body no handler accepts, so that writes are refused by validation, not carried out.
        const std::string body = R"({"__permission_matrix_probe": true})";
        auto reply = anonymous ? http_request(port, method, probe.path, method == "GET" ? "" : body,
                                              {{"Content-Type", "application/json"}})
                               : sessions.at(login).send(method, probe.path, body);
        ++checked;
        if (anonymous) {
          CHECK(reply.status == 401);
        } else if (!route.access.roles.empty() && !roles.intersects(route.access.roles)) {
          CHECK(reply.status == 403);
        } else if (probe.foreign) {
          CHECK(reply.status == 404);
        } else {
          CAPTURE(reply.body);
          CHECK(reply.status != 401);
          CHECK(reply.status != 403);
          CHECK(reply.status != 404);
          CHECK(reply.status < 500);
        }
        for (const auto& marker : matrix.foreign_markers(anonymous ? "admin" : login)) {
          CAPTURE(marker);
          CHECK(reply.body.find(marker) == std::string::npos);
        }
        // A write may have ended the session (log-out): log in again when it did.
        if (!anonymous && method != "GET" && sessions.at(login).get("/api/v1/auth/session").status == 401)
          sessions.insert_or_assign(login, Session(port, login, fixture_password));
      }
    }
  }
  CHECK(checked > 100);

  // Every registered route is documented in the OpenAPI document the server serves, and nothing more.
  auto document = YAML::Load(http_request(port, "GET", "/api/openapi.yaml").body);
  std::set<std::pair<std::string, std::string>> documented, registered;
  for (const auto& path : document["paths"])
    for (const auto& operation : path.second)
      if (auto method = operation.first.as<std::string>(); method != "parameters")
        documented.emplace(path.first.as<std::string>(), method);
  for (const auto& route : application.router().routes()) {
    std::string method(boost::beast::http::to_string(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.emplace(route.pattern, method);
  }
  for (const auto& [path, method] : registered) {
    CAPTURE(path, method);
    CHECK(documented.count({path, method}));  // add it to schemas/openapi.yaml
  }
  for (const auto& [path, method] : documented) {
    CAPTURE(path, method);
    CHECK(registered.count({path, method}));  // documented but not served
  }
}
