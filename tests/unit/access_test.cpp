#include <catch2/catch.hpp>

#include "server/http/access.hpp"

using namespace petitiond;
using namespace petitiond::http;

namespace {

Route route(Access access) { return Route{Verb::get, "/x", access, {}, {"x"}}; }

Request request(Verb method, std::string csrf = {}) {
  Request r(method, "/x", 11);
  if (!csrf.empty()) r.set("X-CSRF-Token", csrf);
  return r;
}

Actor session_actor(RoleSet roles) {
  Actor actor;
  actor.user_id = 1;
  actor.roles = roles;
  actor.csrf_token = "csrf-secret";
  return actor;
}

Actor token_actor(RoleSet roles, std::vector<Scope> scopes) {
  Actor actor;
  actor.user_id = 2;
  actor.roles = roles;
  actor.token_id = 9;
  actor.scopes = std::move(scopes);
  return actor;
}

}  // namespace

TEST_CASE("a route limited to roles refuses other roles") {
  auto admin_only = route(Access::only({Role::admin}));
  CHECK(access_denial(admin_only, request(Verb::get), session_actor({Role::admin})).empty());
  CHECK_THAT(access_denial(admin_only, request(Verb::get), session_actor({Role::handler})),
             Catch::Matchers::Contains("admin"));
  auto any_user = route(Access::users());
  CHECK(access_denial(any_user, request(Verb::get), session_actor({Role::proxy})).empty());
}

TEST_CASE("cookie sessions must send the CSRF token with every write") {
  auto any_user = route(Access::users());
  auto actor = session_actor({Role::admin});
  CHECK(access_denial(any_user, request(Verb::get), actor).empty());
  CHECK(access_denial(any_user, request(Verb::head), actor).empty());
  for (auto method : {Verb::post, Verb::put, Verb::patch, Verb::delete_}) {
    CHECK_THAT(access_denial(any_user, request(method), actor), Catch::Matchers::Contains("CSRF"));
    CHECK_THAT(access_denial(any_user, request(method, "wrong-secret"), actor), Catch::Matchers::Contains("CSRF"));
    CHECK(access_denial(any_user, request(method, "csrf-secret"), actor).empty());
  }
  auto no_token = session_actor({Role::admin});
  no_token.csrf_token.clear();
  CHECK_FALSE(access_denial(any_user, request(Verb::post, ""), no_token).empty());  // empty never matches
}

TEST_CASE("API tokens need a scope for the method, and need no CSRF token") {
  auto any_user = route(Access::users());
  auto reader = token_actor({Role::admin}, {Scope::read});
  CHECK(access_denial(any_user, request(Verb::get), reader).empty());
  CHECK_THAT(access_denial(any_user, request(Verb::post), reader), Catch::Matchers::Contains("write"));
  auto writer = token_actor({Role::admin}, {Scope::write});
  CHECK(access_denial(any_user, request(Verb::get), writer).empty());
  CHECK(access_denial(any_user, request(Verb::post), writer).empty());
  auto cti_route = route(Access::token_scope(Scope::cti));
  CHECK_THAT(access_denial(cti_route, request(Verb::post), writer), Catch::Matchers::Contains("cti"));
  CHECK(access_denial(cti_route, request(Verb::post), token_actor({Role::operator_}, {Scope::cti})).empty());
  // Roles still apply to tokens.
  CHECK_FALSE(
      access_denial(route(Access::only({Role::admin})), request(Verb::get), token_actor({Role::handler}, {Scope::read}))
          .empty());
}
