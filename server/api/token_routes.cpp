// API tokens for machine clients: admins issue them for an account; the secret is shown once.
#include <boost/json/array.hpp>
#include <boost/json/value_from.hpp>
#include <cstring>
#include <limits>

#include "server/api/routes.hpp"
#include "server/api/views.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

awaitable<Response> list_tokens(Services& services, RequestContext& context) {
  auto tokens = co_await services.auth.list_tokens(actor_of(context));
  json::array items;
  for (const auto& token : tokens) items.push_back(token_view(token));
  co_return http::json_response(http::Status::ok, {{"tokens", std::move(items)}});
}

awaitable<Response> create_token(Services& services, RequestContext& context) {
  const auto& actor = actor_of(context);
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto name = fields.text("name", 100);
  auto user_id =
      fields.optional_integer("user_id", 1, std::numeric_limits<std::int64_t>::max()).value_or(actor.user_id);
  auto scope_names = fields.optional_choices("scopes", {"read", "write", "cti", "portal"});
  if (!scope_names) throw Error(Errc::invalid_field, "is required", "scopes");
  fields.reject_unknown();
  std::vector<Scope> scopes;
  for (const auto& scope : *scope_names) scopes.push_back(*parse_scope(scope));

  auto secret = auth::random_token();
  auto event = audit_event(context, "token.created", "user", std::to_string(user_id));
  event.details["name"] = name;
  event.details["scopes"] = json::value_from(*scope_names);
  auto token = co_await services.auth.create_token(user_id, name, std::move(scopes), secret, std::move(event));
  json::object response = token_view(token).as_object();
  response["token"] = secret;  // shown once, stored only as a hash
  co_return http::json_response(http::Status::created, response);
}

awaitable<Response> revoke_token(Services& services, RequestContext& context) {
  auto id = http::path_id(context, "token_id");
  co_await services.auth.revoke_token(actor_of(context), id,
                                      audit_event(context, "token.revoked", "token", std::to_string(id)));
  co_return no_content();
}

}  // namespace

void add_token_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::get, "/api/v1/tokens", Access::users(),
             [&services](RequestContext& c) { return list_tokens(services, c); });
  router.add(Verb::post, "/api/v1/tokens", Access::only({Role::admin}),
             [&services](RequestContext& c) { return create_token(services, c); });
  router.add(Verb::delete_, "/api/v1/tokens/{token_id}", Access::users(),
             [&services](RequestContext& c) { return revoke_token(services, c); });
}

}  // namespace petitiond::api
