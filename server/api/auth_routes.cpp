// Log-in, log-out, the current session, and changing one's own password.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "server/api/authenticator.hpp"
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

std::string lower_ascii(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string session_cookie_header(const RequestContext& context, const std::string& value, long max_age) {
  return std::string(session_cookie) + "=" + value +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age) + (context.secure ? "; Secure" : "");
}

awaitable<Response> login(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto login = lower_ascii(fields.text("login", 64));
  auto password = *fields.secret("password", 256, true);
  fields.reject_unknown();

  // The attempt is reserved before the (slow) verification, so that concurrent guesses are counted too.
  if (!co_await services.auth.reserve_login(login, context.remote_address)) {
    auto event = audit_event(context, "login.throttled");
    event.actor_login = login;
    co_await services.audit.record(event);
    throw Error(Errc::rate_limited, "too many failed log-ins; wait a quarter of an hour and try again")
        .retry_after(std::chrono::minutes(15));
  }

  // An unknown login costs the same hash verification as a known one, and gets the same answer.
  auto record = co_await services.users.login_record(login);
  std::string hash = record && record->password_hash ? *record->password_hash : auth::decoy_hash();
  bool verified = co_await auth::verify_password_on(services.workers, hash, password);
  if (!verified || !record || !record->active || !record->password_hash) {
    auto event = audit_event(context, "login.failed");
    event.actor_login = login;
    if (record) event.actor_id = record->id;
    co_await services.auth.record_failure(event);
    throw Error(Errc::unauthorized, "wrong login or password");
  }

  auto token = auth::random_token();
  auto csrf = auth::random_token();
  auto event = audit_event(context, "login.succeeded", "user", std::to_string(record->id));
  event.actor_id = record->id;
  event.actor_login = record->login;
  co_await services.auth.open_session(record->id, token, csrf, context.remote_address, event,
                                      std::string(context.request[boost::beast::http::field::user_agent]));

  Actor self;
  self.user_id = record->id;
  auto user = co_await services.users.find(self, record->id);
  auto response = http::json_response(http::Status::ok,
                                      {{"user", user ? user_view(*user) : json::value(nullptr)}, {"csrf_token", csrf}});
  response.set(
      boost::beast::http::field::set_cookie,
      session_cookie_header(context, token, static_cast<long>(services.auth.session_policy().lifetime.count())));
  co_return response;
}

awaitable<Response> logout(Services& services, RequestContext& context) {
  auto token = cookie_value(context.request, session_cookie);
  if (!token.empty()) co_await services.auth.close_session(token, audit_event(context, "logout"));
  auto response = no_content();
  response.set(boost::beast::http::field::set_cookie, session_cookie_header(context, "", 0));
  co_return response;
}

awaitable<Response> current_session(Services& services, RequestContext& context) {
  const auto& actor = actor_of(context);
  auto user = co_await services.users.find(actor, actor.user_id);
  if (!user) throw Error(Errc::unauthorized, "the account no longer exists");
  json::object body{{"user", user_view(*user)}};
  if (actor.token_id) body["token_id"] = *actor.token_id;
  else body["csrf_token"] = actor.csrf_token;
  co_return http::json_response(http::Status::ok, body);
}

awaitable<Response> change_password(Services& services, RequestContext& context) {
  const auto& actor = actor_of(context);
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto current = *fields.secret("current_password", 256, true);
  auto wanted = *fields.secret("new_password", 256, true);
  fields.reject_unknown();
  if (auto problem = auth::password_problem(wanted); !problem.empty())
    throw Error(Errc::invalid_field, problem, "new_password");

  // Guesses at the current password (from a session left open, say) are limited like log-ins.
  if (!co_await services.auth.reserve_password_check(actor.user_id)) {
    auto event = audit_event(context, "password_change.throttled", "user", std::to_string(actor.user_id));
    co_await services.audit.record(std::move(event));
    throw Error(Errc::rate_limited, "too many wrong current passwords; wait a quarter of an hour and try again")
        .retry_after(std::chrono::minutes(15));
  }
  auto record = co_await services.users.login_record(actor.login);
  std::string hash = record && record->password_hash ? *record->password_hash : auth::decoy_hash();
  bool verified = co_await auth::verify_password_on(services.workers, hash, current);
  if (!verified || !record || !record->password_hash) {
    auto event = audit_event(context, "password_change.failed", "user", std::to_string(actor.user_id));
    co_await services.audit.record(std::move(event));
    throw Error(Errc::invalid_field, "is not your current password", "current_password");
  }
  auto new_hash = co_await auth::hash_password_on(services.workers, wanted);
  co_await services.users.set_password(
      actor.login, new_hash, audit_event(context, "user.password_changed", "user", std::to_string(actor.user_id)));
  // Every session of the account has ended, this one too: log in again.
  auto response = no_content();
  response.set(boost::beast::http::field::set_cookie, session_cookie_header(context, "", 0));
  co_return response;
}

json::object sessions_view(const std::vector<store::SessionInfo>& sessions) {
  json::array items;
  for (const auto& s : sessions)
    items.push_back(json::object{{"id", s.id},
                                 {"created_at", s.created_at},
                                 {"last_seen_at", s.last_seen_at},
                                 {"expires_at", s.expires_at},
                                 {"address", s.address ? json::value(*s.address) : json::value(nullptr)},
                                 {"user_agent", s.user_agent ? json::value(*s.user_agent) : json::value(nullptr)},
                                 {"current", s.current}});
  return {{"sessions", std::move(items)}};
}

awaitable<Response> my_sessions(Services& services, RequestContext& context) {
  auto sessions =
      co_await services.auth.sessions(actor_of(context).user_id, cookie_value(context.request, session_cookie));
  co_return http::json_response(http::Status::ok, sessions_view(sessions));
}

// One session by its handle, or (no handle) every session but the one asking.
awaitable<Response> end_my_sessions(Services& services, RequestContext& context) {
  std::optional<std::string> id;
  if (!context.param("session_id").empty()) {
    id = std::string(context.param("session_id"));
    if (id->size() != 16 || id->find_first_not_of("0123456789abcdef") != std::string::npos)
      throw Error(Errc::not_found, "no session of yours has this id");
  }
  const auto& actor = actor_of(context);
  auto event =
      audit_event(context, id ? "session.ended" : "session.ended_others", "user", std::to_string(actor.user_id));
  co_await services.auth.end_sessions(actor.user_id, std::move(id), cookie_value(context.request, session_cookie),
                                      std::move(event));
  co_return no_content();
}

}  // namespace

void add_auth_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::post, "/api/v1/auth/login", Access::anyone(),
             [&services](RequestContext& c) { return login(services, c); });
  router.add(Verb::post, "/api/v1/auth/logout", Access::users(),
             [&services](RequestContext& c) { return logout(services, c); });
  router.add(Verb::get, "/api/v1/auth/session", Access::users(),
             [&services](RequestContext& c) { return current_session(services, c); });
  router.add(Verb::get, "/api/v1/me/sessions", Access::users(),
             [&services](RequestContext& c) { return my_sessions(services, c); });
  router.add(Verb::delete_, "/api/v1/me/sessions", Access::users(),
             [&services](RequestContext& c) { return end_my_sessions(services, c); });
  router.add(Verb::delete_, "/api/v1/me/sessions/{session_id}", Access::users(),
             [&services](RequestContext& c) { return end_my_sessions(services, c); });
  router.add(Verb::post, "/api/v1/auth/password", Access::users(),
             [&services](RequestContext& c) { return change_password(services, c); });
}

}  // namespace petitiond::api
