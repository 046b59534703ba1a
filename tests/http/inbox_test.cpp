// The messages behind the bell: each user's in-app messages as they were shown, newest first, only about
// petitions the reader may still see, marked read one by one or all at once.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/db_helpers.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace json = boost::json;

namespace {

json::object inbox(Session& reader, const std::string& query = "") {
  auto reply = reader.get("/api/v1/me/notifications" + query);
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  auto object = reply.json().as_object();
  return object;
}

std::int64_t unread(Session& reader) { return inbox(reader).at("unread").to_number<std::int64_t>(); }

std::int64_t dispatched(Session& op, const std::string& subject) {
  auto filed = op.send("POST", "/api/v1/petitions",
                       R"({"channel":"hotline","type":"help","category":"other","subject":")" + subject +
                           R"(","content":"轮椅坏了。","petitioner":{"name":"郑一","phone":"13912345671"}})");
  REQUIRE(filed.status == 201);
  const auto id = filed.json().at("id").to_number<std::int64_t>();
  const auto path = "/api/v1/petitions/" + std::to_string(id) + "/actions/";
  REQUIRE(op.send("POST", path + "accept", R"({"version":1})").status == 200);
  REQUIRE(op.send("POST", path + "dispatch", R"({"version":2,"unit":"V1"})").status == 200);
  return id;
}

}  // namespace

TEST_CASE("the bell lists a user's messages as shown, about petitions they may see, and marks them read") {
  spdlog::set_level(spdlog::level::err);
  OrgFixture org;
  pg::BlockingConnection db(org.db.url());
  TestServer server(org, {"--notify-interval", "100"});
  Session op(server.port(), "operator", fixture_password);
  Session handler(server.port(), "v1.handler", fixture_password);
  Session other(server.port(), "v2.handler", fixture_password);

  const auto first = dispatched(op, "轮椅维修");
  REQUIRE(eventually([&] { return unread(handler) == 1; }));
  auto listed = inbox(handler);
  auto message = listed.at("messages").at(0).as_object();
  CHECK(message.at("topic").as_string() == "dispatch");
  CHECK(!message.at("title").as_string().empty());
  const auto tracking_code = std::string(message.at("petition").at("tracking_code").as_string());
  CHECK(message.at("text").as_string().find(tracking_code) != std::string::npos);
  CHECK(message.at("petition").at("id").to_number<std::int64_t>() == first);
  CHECK_FALSE(message.at("read").as_bool());
  CHECK(inbox(other).at("messages").as_array().empty());

  // Newest first, a page at a time.
  dispatched(op, "助听器");
  REQUIRE(eventually([&] { return unread(handler) == 2; }));
  auto page = inbox(handler, "?limit=1");
  REQUIRE(page.at("messages").as_array().size() == 1);
  const auto newest = page.at("messages").at(0).at("id").to_number<std::int64_t>();
  const auto oldest = message.at("id").to_number<std::int64_t>();
  CHECK(newest > oldest);
  auto next = inbox(handler, "?limit=1&before=" + std::to_string(newest));
  CHECK(next.at("messages").at(0).at("id").to_number<std::int64_t>() == oldest);

  // Read one; another user's attempt on it changes nothing; then all.
  auto marked = other.send("POST", "/api/v1/me/notifications/read", R"({"ids":[)" + std::to_string(oldest) + "]}");
  CHECK(marked.status == 200);
  CHECK(unread(handler) == 2);
  marked = handler.send("POST", "/api/v1/me/notifications/read", R"({"ids":[)" + std::to_string(oldest) + "]}");
  CHECK(marked.json().at("unread").to_number<std::int64_t>() == 1);
  CHECK(inbox(handler, "?limit=1&before=" + std::to_string(newest)).at("messages").at(0).at("read").as_bool());
  CHECK(handler.send("POST", "/api/v1/me/notifications/read", "{}").json().at("unread").to_number<std::int64_t>() == 0);

  // A message about a petition the reader may no longer see is not listed, nor counted.
  db.exec(
      "INSERT INTO notification_deliveries (outbox_id, recipient, user_id, channel, topic, payload, state, title, text)"
      " SELECT o.id, 'user:' || $1, $1::bigint, 'in_app', 'dispatch', '{}', 'sent', '外单位', '不应看到'"
      " FROM outbox o WHERE o.petition_id = $2 LIMIT 1",
      {std::to_string(org.user_ids.at("v2.handler")), std::to_string(first)});
  CHECK(unread(other) == 0);
  CHECK(inbox(other).at("messages").as_array().empty());

  for (const auto& [body, field] :
       std::vector<std::pair<std::string, std::string>>{{R"({"ids":"all"})", "ids"},
                                                        {R"({"ids":[0]})", "ids"},
                                                        {R"({"ids":[1.5]})", "ids"},
                                                        {R"({"ids":["1"]})", "ids"},
                                                        {R"({"everything":true})", "everything"}}) {
    CAPTURE(body);
    auto refused = handler.send("POST", "/api/v1/me/notifications/read", body);
    CHECK(refused.status == 422);
    CHECK(refused.json().at("error").at("field").as_string() == field);
  }
  std::string many = R"({"ids":[)";
  for (int i = 1; i <= 501; ++i) many += std::to_string(i) + (i < 501 ? "," : "]}");
  CHECK(handler.send("POST", "/api/v1/me/notifications/read", many).status == 422);
  CHECK(handler.get("/api/v1/me/notifications?limit=0").status == 422);
  CHECK(http_request(server.port(), "GET", "/api/v1/me/notifications").status == 401);
}
