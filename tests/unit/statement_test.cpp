#include <catch2/catch.hpp>

#include "server/http/request_id.hpp"
#include "server/pg/statement.hpp"

using namespace petitiond;

TEST_CASE("statements carry parameters as text, NULL as no value") {
  std::optional<int> none;
  std::optional<std::string> some = "x";
  pg::Statement statement("SELECT $1, $2, $3, $4, $5", 42, std::string("中文"), true, none, some);
  REQUIRE(statement.params.size() == 5);
  CHECK(statement.params[0] == "42");
  CHECK(statement.params[1] == "中文");
  CHECK(statement.params[2] == "t");
  CHECK_FALSE(statement.params[3].has_value());
  CHECK(statement.params[4] == "x");
}

TEST_CASE("request ids are unique and client ids are accepted only when plain") {
  auto a = http::next_request_id();
  auto b = http::next_request_id();
  CHECK(a != b);
  CHECK(a.size() == 16);
  CHECK(http::acceptable_request_id("abc-123_x.y"));
  CHECK_FALSE(http::acceptable_request_id(""));
  CHECK_FALSE(http::acceptable_request_id("has space"));
  CHECK_FALSE(http::acceptable_request_id("new\nline"));
  CHECK_FALSE(http::acceptable_request_id(std::string(65, 'a')));
}
