// Users and roles. Admins manage everyone; managers read the users of their subtree; anyone reads
// themselves. Visibility is the store's: a user outside it is "not found".
#include <boost/json/array.hpp>
#include <boost/json/value_from.hpp>
#include <cstring>
#include <limits>

#include "server/api/routes.hpp"
#include "server/api/views.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/identity.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

std::set<std::string> role_names() {
  std::set<std::string> names;
  for (auto role : all_roles) names.emplace(role_name(role));
  return names;
}

RoleSet roles_from(const std::vector<std::string>& names) {
  RoleSet roles;
  for (const auto& name : names) roles.insert(*parse_role(name));
  return roles;
}

std::optional<std::string> checked_phone(std::optional<std::string> phone) {
  if (!phone || phone->empty()) return std::nullopt;
  if (auto problem = phone_problem(*phone); !problem.empty()) throw Error(Errc::invalid_field, problem, "phone");
  return phone;
}

awaitable<Response> list_users(Services& services, RequestContext& context) {
  store::UserFilter filter;
  filter.unit_code = http::query_param(context, "unit");
  if (auto role = http::query_param(context, "role")) {
    filter.role = parse_role(*role);
    if (!filter.role) throw Error(Errc::invalid_field, "unknown role", "role");
  }
  filter.include_inactive = http::query_param(context, "include_inactive") == "true";
  auto users = co_await services.users.list(actor_of(context), filter);
  json::array items;
  for (const auto& user : users) items.push_back(user_view(user));
  co_return http::json_response(http::Status::ok, {{"users", std::move(items)}});
}

awaitable<Response> get_user(Services& services, RequestContext& context) {
  auto user = co_await services.users.find(actor_of(context), http::path_id(context, "user_id"));
  if (!user) throw Error(Errc::not_found, "no such user");
  co_return http::json_response(http::Status::ok, user_view(*user));
}

awaitable<Response> create_user(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  store::NewUser user;
  user.login = fields.text("login", 64);
  if (auto problem = login_problem(user.login); !problem.empty()) throw Error(Errc::invalid_field, problem, "login");
  user.display_name = fields.text("display_name", 100);
  user.phone = checked_phone(fields.optional_text("phone", 40));
  user.unit_code = fields.text("unit", 32);
  auto roles = fields.optional_choices("roles", role_names());
  if (!roles) throw Error(Errc::invalid_field, "is required", "roles");
  user.roles = roles_from(*roles);
  auto password = fields.secret("password", 256, false);
  fields.reject_unknown();
  const bool generated = !password;
  if (generated) password = auth::random_password();
  if (auto problem = auth::password_problem(*password); !problem.empty())
    throw Error(Errc::invalid_field, problem, "password");

  auto hash = co_await auth::hash_password_on(services.workers, *password);
  auto event = audit_event(context, "user.created");
  event.details["roles"] = json::value_from(*roles);
  event.details["unit"] = user.unit_code;
  auto created = co_await services.users.create(std::move(user), hash, std::move(event));
  json::object response = user_view(created).as_object();
  if (generated) response["initial_password"] = *password;  // shown once, never stored in clear
  co_return http::json_response(http::Status::created, response);
}

awaitable<Response> update_user(Services& services, RequestContext& context) {
  auto id = http::path_id(context, "user_id");
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  store::UserChange change;
  change.display_name = fields.optional_text("display_name", 100);
  if (change.display_name && change.display_name->empty())
    throw Error(Errc::invalid_field, "must not be empty", "display_name");
  if (auto phone = fields.nullable_text("phone", 40)) change.phone = checked_phone(*phone);
  change.unit_code = fields.optional_text("unit", 32);
  if (auto roles = fields.optional_choices("roles", role_names())) change.roles = roles_from(*roles);
  change.active = fields.optional_bool("active");
  fields.reject_unknown();
  if (change.active == false && id == actor_of(context).user_id)
    throw Error(Errc::invalid_field, "you cannot disable your own account", "active");

  const char* action = change.active == false ? "user.disabled" : change.roles ? "user.roles_changed" : "user.updated";
  auto event = audit_event(context, action, "user", std::to_string(id));
  for (const auto& field : body)
    if (field.key() != "phone") event.details[field.key()] = field.value();  // the phone itself is personal data
  if (body.contains("phone")) event.details["phone_changed"] = true;
  auto user = co_await services.users.update(actor_of(context), id, std::move(change), std::move(event));
  co_return http::json_response(http::Status::ok, user_view(user));
}

awaitable<Response> reset_password(Services& services, RequestContext& context) {
  auto id = http::path_id(context, "user_id");
  auto body = context.request.body().empty() ? json::object() : http::json_object_body(context.request);
  http::Fields fields(body);
  auto password = fields.secret("password", 256, false);
  fields.reject_unknown();
  auto user = co_await services.users.find(actor_of(context), id);
  if (!user) throw Error(Errc::not_found, "no such user");
  const bool generated = !password;
  if (generated) password = auth::random_password();
  if (auto problem = auth::password_problem(*password); !problem.empty())
    throw Error(Errc::invalid_field, problem, "password");
  auto hash = co_await auth::hash_password_on(services.workers, *password);
  co_await services.users.set_password(user->login, hash,
                                       audit_event(context, "user.password_reset", "user", std::to_string(id)));
  json::object response{{"login", user->login}};
  if (generated) response["password"] = *password;
  co_return http::json_response(http::Status::ok, response);
}

awaitable<Response> unmask_user(Services& services, RequestContext& context) {
  // Jurisdiction first: a user outside it is not found, whatever the body says.
  auto id = http::path_id(context, "user_id");
  auto user = co_await services.users.find(actor_of(context), id);
  if (!user) throw Error(Errc::not_found, "no such user");
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto field = fields.text("field", 20);
  if (field != "phone") throw Error(Errc::invalid_field, "only phone can be unmasked for a user", "field");
  auto reason = fields.text("reason", 200);
  if (http::utf8_length(reason) < 4) throw Error(Errc::invalid_field, "say why you need the full value", "reason");
  fields.reject_unknown();
  auto event = audit_event(context, "personal_data.unmasked", "user", std::to_string(id));
  event.details["field"] = field;
  event.details["reason"] = reason;
  co_await services.audit.record(event);
  co_return http::json_response(
      http::Status::ok, {{"id", id}, {"phone", user->phone ? json::value(*user->phone) : json::value(nullptr)}});
}

}  // namespace

void add_user_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  const auto admin = Access::only({Role::admin});
  router.add(Verb::get, "/api/v1/users", Access::only({Role::admin, Role::manager}),
             [&services](RequestContext& c) { return list_users(services, c); });
  router.add(Verb::post, "/api/v1/users", admin, [&services](RequestContext& c) { return create_user(services, c); });
  router.add(Verb::get, "/api/v1/users/{user_id}", Access::users(),
             [&services](RequestContext& c) { return get_user(services, c); });
  router.add(Verb::patch, "/api/v1/users/{user_id}", admin,
             [&services](RequestContext& c) { return update_user(services, c); });
  router.add(Verb::post, "/api/v1/users/{user_id}/password", admin,
             [&services](RequestContext& c) { return reset_password(services, c); });
  router.add(Verb::post, "/api/v1/users/{user_id}/unmask", Access::only({Role::admin, Role::manager}),
             [&services](RequestContext& c) { return unmask_user(services, c); });
}

}  // namespace petitiond::api
