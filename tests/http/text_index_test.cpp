// The text search index (server/search, docs/petitions.md "Searching"): kept from the database outside the
// transactions that write it, a petition is findable by whoever registered it at once and by anyone within a
// second; a change (a dispatch) is followed; the index survives kill -9, is rebuilt when lost, and a second
// process keeps its own from the same database.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <boost/json/parse.hpp>

#include "server/pg/embedded_cluster.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The ids a search finds (its first page) and its total.
struct Found {
  std::vector<std::int64_t> ids;
  std::int64_t total = -1;
};

Found search(const Session& who, const std::string& words, const std::string& more = "") {
  auto reply = who.get("/api/v1/petitions?limit=100&q=" + encoded(words) + more);
  REQUIRE(reply.status == 200);
  Found found;
  const auto page = reply.json().as_object();
  for (const auto& item : page.at("items").as_array()) found.ids.push_back(item.at("id").to_number<std::int64_t>());
  found.total = page.at("total").to_number<std::int64_t>();
  return found;
}

bool finds(const Session& who, const std::string& words, std::int64_t id, const std::string& more = "") {
  auto found = search(who, words, more);
  return std::find(found.ids.begin(), found.ids.end(), id) != found.ids.end();
}

std::int64_t registered(const Session& op, const std::string& subject, const std::string& content) {
  auto reply =
      op.send("POST", "/api/v1/petitions",
              R"({"channel":"hotline","type":"help","category":"other","subject":")" + subject + R"(","content":")" +
                  content + R"(","petitioner":{"name":"孙八","phone":"13955556666","unit":"QS-T01-V01"}})");
  REQUIRE(reply.status == 201);
  return reply.json().at("id").to_number<std::int64_t>();
}

int act(const Session& who, std::int64_t id, const std::string& action, const std::string& fields = "") {
  auto version = who.get("/api/v1/petitions/" + std::to_string(id)).json().at("version").to_number<int>();
  std::string body = R"({"version":)" + std::to_string(version) + (fields.empty() ? "" : "," + fields) + "}";
  return who.send("POST", "/api/v1/petitions/" + std::to_string(id) + "/actions/" + action, body).status;
}

}  // namespace

TEST_CASE("a petition is findable by its registrar at once and by anyone within a second, and changes are followed") {
  ScratchDir dir;
  PetitiondProcess server({"--data-dir", dir.path().string(), "--demo", "--demo-days", "0"});
  Session op(server.port(), "hotline1", "12385-demo");
  Session manager(server.port(), "district.manager", "12385-demo");
  Session t01(server.port(), "t01.handler", "12385-demo");
  Session t02(server.port(), "t02.handler", "12385-demo");
  REQUIRE(eventually([&] { return metric(server.port(), "petitiond_text_index_ready") == 1; }, 20s));

  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    const auto id =
        registered(op, "电动轮椅维修补助", "申请电动轮椅维修补助，需要一把椅子，第" + std::to_string(round) + "次。");
    const auto acknowledged = std::chrono::steady_clock::now();
    CHECK(finds(op, "电动轮椅维修", id));  // the registrar's own search waits for the index to hold it
    REQUIRE(eventually([&] { return finds(manager, "轮椅维修补助", id); }, 5s));
    CHECK(std::chrono::steady_clock::now() - acknowledged < 1s);
  }
  const auto total = search(manager, "电动轮椅维修补助").total;
  CHECK(total == 5);
  // Bigrams alone are not enough: every word must be there as written (轮椅 and 椅子 are, 轮椅子 is not).
  CHECK(search(manager, "轮椅子").total == 0);
  CHECK(search(manager, "轮椅 椅子").total == 5);

  // A dispatch moves it into the town's worklist and its searches, and no other town's.
  const auto id = registered(op, "盲人按摩培训", "希望参加盲人按摩职业培训。");
  CHECK_FALSE(finds(t01, "盲人按摩", id));
  REQUIRE(act(op, id, "accept") == 200);
  REQUIRE(act(op, id, "dispatch", R"("unit":"QS-T01")") == 200);
  REQUIRE(eventually([&] { return finds(t01, "盲人按摩", id); }, 1s));
  CHECK(finds(t01, "按摩培训", id, "&state=dispatched"));
  CHECK_FALSE(finds(t01, "按摩培训", id, "&state=registered"));
  CHECK(finds(manager, "按摩培训", id, "&unit=QS-T01"));
  CHECK_FALSE(finds(manager, "按摩培训", id, "&unit=QS-T02"));
  CHECK_FALSE(finds(t02, "盲人按摩", id));
  // Sorted by deadline, the same matches.
  CHECK(finds(t01, "盲人按摩", id, "&sort=deadline"));

  // Paging through many matches newest first, each once, with the total counted to 200.
  for (int i = 0; i < 6; ++i) registered(op, "助听器电池", "助听器电池更换，编号" + std::to_string(i) + "。");
  auto first = op.get("/api/v1/petitions?limit=4&q=" + encoded("助听器电池")).json().as_object();
  CHECK(first.at("total").to_number<int>() == 6);
  std::vector<std::int64_t> seen;
  for (const auto& item : first.at("items").as_array()) seen.push_back(item.at("id").to_number<std::int64_t>());
  REQUIRE(first.at("next").is_string());
  auto next = std::string(first.at("next").as_string());
  auto second = op.get("/api/v1/petitions?limit=4&q=" + encoded("助听器电池") + "&after=" + encoded(next)).json();
  for (const auto& item : second.at("items").as_array()) seen.push_back(item.at("id").to_number<std::int64_t>());
  CHECK(second.at("total").to_number<int>() == 6);
  CHECK(second.at("next").is_null());
  REQUIRE(seen.size() == 6);
  CHECK(std::is_sorted(seen.rbegin(), seen.rend()));
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == 6);
}

TEST_CASE("the text index survives kill -9, is rebuilt when lost, and each process keeps its own") {
  ScratchDir dir;
  const auto data = dir.path() / "data";
  std::vector<std::int64_t> ids;
  {
    PetitiondProcess server({"--data-dir", data.string(), "--demo", "--demo-days", "0"});
    Session op(server.port(), "hotline1", "12385-demo");
    for (int i = 0; i < 20; ++i)
      ids.push_back(registered(op, "康复器材借用", "借用康复器材第" + std::to_string(i) + "件。"));
    CHECK(search(op, "康复器材借用").total == 20);
    server.stop(SIGKILL);
  }
  auto all_found = [&](const Session& who) {
    auto found = search(who, "康复器材借用");
    return found.total == 20 &&
           std::set<std::int64_t>(found.ids.begin(), found.ids.end()) == std::set<std::int64_t>(ids.begin(), ids.end());
  };
  {
    // After kill -9: what was committed is there, the rest follows from the database.
    PetitiondProcess server({"--data-dir", data.string()});
    Session manager(server.port(), "district.manager", "12385-demo");
    CHECK(eventually([&] { return all_found(manager); }, 10s));
    server.stop(SIGTERM);
  }
  fs::remove_all(data / "search-index");
  PetitiondProcess first({"--data-dir", data.string()});
  Session manager(first.port(), "district.manager", "12385-demo");
  CHECK(eventually([&] { return all_found(manager); }, 20s));  // rebuilt from every petition

  // A second process on the same database with its own index.
  const auto url = pg::embedded_url(data, "petitiond");
  PetitiondProcess second({"--data-dir", (dir.path() / "second").string(), "--database-url", url});
  Session op2(second.port(), "hotline1", "12385-demo");
  CHECK(eventually([&] { return all_found(op2); }, 20s));
  const auto id = registered(op2, "康复器材借用", "第二个进程登记的借用。");
  const auto acknowledged = std::chrono::steady_clock::now();
  REQUIRE(eventually([&] { return finds(manager, "康复器材借用", id); }, 5s));
  CHECK(std::chrono::steady_clock::now() - acknowledged < 1s);
}
