// Each user's own notification preferences: e-mail address, language, the channels non-urgent messages
// use, and quiet hours (local time) during which non-urgent SMS and e-mail wait.
#include <boost/json/array.hpp>
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

json::object preferences_view(const store::NotificationPreferences& preferences) {
  json::value quiet = nullptr;
  if (preferences.quiet_from && preferences.quiet_until)
    quiet = json::object{{"from", *preferences.quiet_from}, {"until", *preferences.quiet_until}};
  json::array channels;
  for (const auto& channel : preferences.channels) channels.emplace_back(channel);
  return json::object{{"email", preferences.email ? json::value(*preferences.email) : json::value(nullptr)},
                      {"language", preferences.language},
                      {"channels", std::move(channels)},
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
  auto preferences = co_await services.users.preferences(actor_of(context).user_id);
  co_return http::json_response(http::Status::ok, preferences_view(preferences));
}

awaitable<Response> put_preferences(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  store::PreferencesChange change;
  change.email = fields.nullable_text("email", 200);
  if (change.email && *change.email) {
    if (auto problem = email_problem(**change.email); !problem.empty())
      throw Error(Errc::invalid_field, problem, "email");
  }
  change.language = fields.optional_text("language", 2);
  if (change.language && *change.language != "zh" && *change.language != "en")
    throw Error(Errc::invalid_field, "must be zh or en", "language");
  change.channels = fields.optional_choices("channels", {"in_app", "sms", "email"});
  fields.known("quiet_hours");
  fields.reject_unknown();
  if (auto it = body.find("quiet_hours"); it != body.end()) {
    change.quiet_hours_given = true;
    if (!it->value().is_null()) {
      if (!it->value().is_object())
        throw Error(Errc::invalid_field, "must be {\"from\": \"HH:MM\", \"until\": \"HH:MM\"} or null", "quiet_hours");
      auto from = clock_time(it->value().as_object(), "from");
      auto until = clock_time(it->value().as_object(), "until");
      if (from == until) throw Error(Errc::invalid_field, "from and until must differ", "quiet_hours");
      change.quiet_hours.emplace(std::move(from), std::move(until));
    }
  }
  const auto wants_email =
      change.channels && std::find(change.channels->begin(), change.channels->end(), "email") != change.channels->end();
  auto preferences = co_await services.users.change_preferences(actor_of(context).user_id, std::move(change));
  auto view = preferences_view(preferences);
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
