// Each user's own notification preferences: e-mail address, language, the channels non-urgent messages
// use, and quiet hours (local time) during which non-urgent SMS and e-mail wait.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <regex>

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/identity.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr const char* preference_columns =
    "email, language, array_to_json(notify_channels)::text, to_char(quiet_from, 'HH24:MI'), to_char(quiet_until, 'HH24:MI')";

json::value preferences_view(const pg::Result& rows) {
  json::value quiet = nullptr;
  if (!rows.is_null(0, 3)) quiet = json::object{{"from", rows.text(0, 3)}, {"until", rows.text(0, 4)}};
  auto email = rows.optional_text(0, 0);
  return json::object{{"email", email ? json::value(*email) : json::value(nullptr)},
                      {"language", rows.text(0, 1)},
                      {"channels", json::parse(std::string(rows.text(0, 2)))},
                      {"quiet_hours", std::move(quiet)}};
}

std::string clock_time(const json::object& quiet, const char* name) {
  static const std::regex hh_mm("([01][0-9]|2[0-3]):[0-5][0-9]");
  auto it = quiet.find(name);
  if (it == quiet.end() || !it->value().is_string() || !std::regex_match(std::string(it->value().as_string()), hh_mm))
    throw Error(Errc::invalid_field, "must be a time of day as HH:MM", std::string("quiet_hours.") + name);
  return std::string(it->value().as_string());
}

awaitable<Response> get_preferences(Services& services, RequestContext& context) {
  auto rows = co_await services.pool.run_one(
      pg::Statement(std::string("SELECT ") + preference_columns + " FROM users WHERE id = $1", actor_of(context).user_id));
  co_return http::json_response(http::Status::ok, preferences_view(rows).as_object());
}

awaitable<Response> put_preferences(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto email = fields.nullable_text("email", 200);
  if (email && *email) {
    if (auto problem = email_problem(**email); !problem.empty()) throw Error(Errc::invalid_field, problem, "email");
  }
  const auto language = fields.optional_text("language", 2);
  if (language && *language != "zh" && *language != "en") throw Error(Errc::invalid_field, "must be zh or en", "language");
  const auto channels = fields.optional_choices("channels", {"in_app", "sms", "email"});
  fields.known("quiet_hours");
  fields.reject_unknown();
  std::optional<std::string> quiet_from, quiet_until;
  bool quiet_given = false;
  if (auto it = body.find("quiet_hours"); it != body.end()) {
    quiet_given = true;
    if (!it->value().is_null()) {
      if (!it->value().is_object())
        throw Error(Errc::invalid_field, "must be {\"from\": \"HH:MM\", \"until\": \"HH:MM\"} or null", "quiet_hours");
      quiet_from = clock_time(it->value().as_object(), "from");
      quiet_until = clock_time(it->value().as_object(), "until");
      if (quiet_from == quiet_until) throw Error(Errc::invalid_field, "from and until must differ", "quiet_hours");
    }
  }
  const auto wants_email = channels && std::find(channels->begin(), channels->end(), "email") != channels->end();
  pg::Statement update(
      std::string("UPDATE users SET email = CASE WHEN $2 THEN $3 ELSE email END, language = coalesce($4, language),"
                  " notify_channels = coalesce($5::text[], notify_channels),"
                  " quiet_from = CASE WHEN $6 THEN $7::time ELSE quiet_from END,"
                  " quiet_until = CASE WHEN $6 THEN $8::time ELSE quiet_until END, updated_at = now()"
                  " WHERE id = $1 RETURNING ") + preference_columns,
      actor_of(context).user_id, email.has_value(), email ? *email : std::nullopt, language,
      channels ? std::optional(pg::words_literal(*channels)) : std::nullopt, quiet_given, quiet_from, quiet_until);
  auto rows = co_await services.pool.run_one(std::move(update));
  auto view = preferences_view(rows).as_object();
  if (wants_email && view.at("email").is_null())
    view["warning"] = "e-mail is chosen but no address is set: no e-mail will be sent";
  co_return http::json_response(http::Status::ok, view);
}

}  // namespace

void add_preference_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/me/notification-preferences", http::Access::users(),
             [&services](RequestContext& c) { return get_preferences(services, c); });
  router.add(http::Verb::put, "/api/v1/me/notification-preferences", http::Access::users(),
             [&services](RequestContext& c) { return put_preferences(services, c); });
}

}  // namespace petitiond::api
