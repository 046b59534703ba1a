#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/protocol_error.hpp"
#include "core/error.hpp"

using namespace petitiond;

namespace {

std::string field_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK(e.errc() == Errc::invalid_field);
    return e.field();
  }
  return "(no error)";
}

http::Request json_request(std::string body, std::string type = "application/json") {
  http::Request r(http::Verb::post, "/x", 11);
  r.set(boost::beast::http::field::content_type, type);
  r.body() = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("JSON fields are typed, limited and named when wrong") {
  auto object =
      boost::json::parse(
          R"({"name":"  王芳  ","n":5,"flag":true,"list":["a","b","a"],"pair":["b","b"],"bad":1.5,"ctl":"a\u0001b"})")
          .as_object();
  http::Fields fields(object);
  CHECK(fields.text("name", 10) == "王芳");
  CHECK(field_of([&] { fields.text("name", 1); }) == "name");
  CHECK(field_of([&] { fields.text("missing", 5); }) == "missing");
  CHECK_FALSE(fields.optional_text("absent", 5).has_value());
  CHECK(fields.optional_integer("n", 1, 10) == 5);
  CHECK(field_of([&] { fields.optional_integer("n", 6, 10); }) == "n");
  CHECK(field_of([&] { fields.optional_integer("bad", 0, 10); }) == "bad");
  CHECK(fields.optional_bool("flag") == true);
  CHECK(field_of([&] { fields.optional_bool("n"); }) == "n");
  CHECK(fields.optional_choices("list", {"a", "b", "c"}) == std::vector<std::string>{"a", "b"});  // each once
  CHECK(fields.optional_choices("pair", {"a", "b"}) == std::vector<std::string>{"b"});
  CHECK(field_of([&] { fields.optional_choices("list", {"a", "b"}); }) == "list");  // more entries than choices
  CHECK(field_of([&] { fields.optional_choices("list", {"a"}); }) == "list");
  CHECK(field_of([&] { fields.text("ctl", 10); }) == "ctl");
}

TEST_CASE("unknown fields are refused by name") {
  auto object = boost::json::parse(R"({"name":"x","nmae":"y"})").as_object();
  http::Fields fields(object);
  fields.text("name", 10);
  CHECK(field_of([&] { fields.reject_unknown(); }) == "nmae");
}

TEST_CASE("a nullable field distinguishes absent, cleared and set") {
  auto object = boost::json::parse(R"({"cleared":null,"empty":"","set":"x"})").as_object();
  http::Fields fields(object);
  CHECK_FALSE(fields.nullable_text("absent", 5).has_value());
  for (const char* name : {"cleared", "empty"}) {
    auto value = fields.nullable_text(name, 5);
    REQUIRE(value.has_value());
    CHECK_FALSE(value->has_value());
  }
  auto set = fields.nullable_text("set", 5);
  REQUIRE(set.has_value());
  CHECK(*set == std::optional<std::string>("x"));
}

TEST_CASE("bodies must be JSON objects sent as JSON") {
  auto status_of = [](const http::Request& r) {
    try {
      http::json_object_body(r);
    } catch (const http::ProtocolError& e) {
      return e.status();
    }
    return http::Status::ok;
  };
  CHECK(status_of(json_request("{}", "text/plain")) == http::Status::unsupported_media_type);
  CHECK(status_of(json_request("{")) == http::Status::bad_request);
  CHECK(status_of(json_request("[1]")) == http::Status::bad_request);
  CHECK_NOTHROW(http::json_object_body(json_request("{\"a\":\"\xff\"}")));  // named by the field accessor
  CHECK_NOTHROW(http::json_object_body(json_request("{\"a\":1}", "application/json; charset=utf-8")));
}

TEST_CASE("invalid UTF-8 is refused naming the field that holds it") {
  auto body = http::json_object_body(json_request("{\"subject\":\"ok\", \"content\":\"\xe4\xbd\"}"));
  http::Fields fields(body);
  CHECK(fields.text("subject", 10) == "ok");
  try {
    fields.text("content", 100);
    FAIL("accepted a truncated UTF-8 sequence");
  } catch (const Error& e) {
    CHECK(e.errc() == Errc::invalid_field);
    CHECK(e.field() == "content");
  }
  CHECK(http::valid_utf8("低保 ok"));
  CHECK_FALSE(http::valid_utf8("\xc0\xaf"));      // overlong '/'
  CHECK_FALSE(http::valid_utf8("\xed\xa0\x80"));  // a surrogate
}

TEST_CASE("passwords hash with Argon2id and verify, tokens are random") {
  auto hash = auth::hash_password("correct horse battery");
  CHECK(hash.starts_with("$argon2id$"));
  CHECK(auth::verify_password(hash, "correct horse battery"));
  CHECK_FALSE(auth::verify_password(hash, "correct horse battery!"));
  CHECK(auth::hash_password("correct horse battery") != hash);  // salted
  CHECK_FALSE(auth::verify_password(auth::decoy_hash(), ""));
  auto a = auth::random_token(), b = auth::random_token();
  CHECK(a.size() == 43);
  CHECK(a != b);
  CHECK(auth::token_digest(a).starts_with("\\x"));
  CHECK(auth::token_digest(a).size() == 66);
  CHECK(auth::random_password().size() == 16);
  CHECK_FALSE(auth::password_problem("short").empty());
  CHECK(auth::password_problem("long enough!").empty());
}
