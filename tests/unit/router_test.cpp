#include <catch2/catch.hpp>

#include "server/http/response.hpp"
#include "server/http/router.hpp"

using namespace petitiond::http;

namespace {

Handler respond(Status status) {
  return [status](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return text_response(status, "", "text/plain");
  };
}

std::vector<std::string> split(std::initializer_list<const char*> parts) { return {parts.begin(), parts.end()}; }

}  // namespace

TEST_CASE("router matches literal paths and captures parameters") {
  Router router;
  router.add(Verb::get, "/api/v1/petitions/{id}", Access::anyone(), respond(Status::ok));
  router.add(Verb::get, "/api/v1/petitions/{id}/events", Access::anyone(), respond(Status::ok));

  auto match = router.match(Verb::get, split({"api", "v1", "petitions", "P-42", "events"}));
  REQUIRE(match.route != nullptr);
  CHECK(match.route->pattern == "/api/v1/petitions/{id}/events");
  REQUIRE(match.params.size() == 1);
  CHECK(match.params[0] == std::pair<std::string, std::string>{"id", "P-42"});

  CHECK(router.match(Verb::get, split({"api", "v1", "petitions"})).route == nullptr);
  CHECK(router.match(Verb::get, split({"api", "v1", "petitions", ""})).route == nullptr);  // empty capture
  CHECK(router.match(Verb::get, split({"api", "v2", "petitions", "1"})).route == nullptr);
}

TEST_CASE("router prefers the most specific route whatever the registration order") {
  Router router;
  router.add(Verb::get, "/petitions/{id}", Access::anyone(), respond(Status::ok));
  router.add(Verb::get, "/petitions/search", Access::anyone(), respond(Status::accepted));
  auto match = router.match(Verb::get, split({"petitions", "search"}));
  REQUIRE(match.route != nullptr);
  CHECK(match.route->pattern == "/petitions/search");
  CHECK(match.params.empty());
  CHECK(router.match(Verb::get, split({"petitions", "7"})).route->pattern == "/petitions/{id}");
}

TEST_CASE("router reports the allowed methods when only the method is wrong") {
  Router router;
  router.add(Verb::get, "/items", Access::anyone(), respond(Status::ok));
  router.add(Verb::post, "/items", Access::anyone(), respond(Status::created));
  auto match = router.match(Verb::delete_, split({"items"}));
  CHECK(match.route == nullptr);
  CHECK(match.allowed == std::vector<Verb>{Verb::get, Verb::post});

  auto none = router.match(Verb::delete_, split({"elsewhere"}));
  CHECK(none.route == nullptr);
  CHECK(none.allowed.empty());
}

TEST_CASE("HEAD is served by the GET route") {
  Router router;
  router.add(Verb::get, "/healthz", Access::anyone(), respond(Status::ok));
  auto match = router.match(Verb::head, split({"healthz"}));
  REQUIRE(match.route != nullptr);
  CHECK(match.route->method == Verb::get);
}

TEST_CASE("the root path has no segments") {
  Router router;
  router.add(Verb::get, "/", Access::anyone(), respond(Status::ok));
  CHECK(router.match(Verb::get, {}).route != nullptr);
  CHECK(router.match(Verb::get, split({"x"})).route == nullptr);
}

TEST_CASE("router rejects malformed and duplicate patterns") {
  Router router;
  CHECK_THROWS_AS(router.add(Verb::get, "no-slash", Access::anyone(), respond(Status::ok)), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Verb::get, "/a//b", Access::anyone(), respond(Status::ok)), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Verb::get, "/a/{x", Access::anyone(), respond(Status::ok)), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Verb::get, "/a/{}", Access::anyone(), respond(Status::ok)), std::invalid_argument);
  router.add(Verb::get, "/a", Access::anyone(), respond(Status::ok));
  CHECK_THROWS_AS(router.add(Verb::get, "/a", Access::anyone(), respond(Status::ok)), std::invalid_argument);
  CHECK_NOTHROW(router.add(Verb::post, "/a", Access::anyone(), respond(Status::ok)));
}
