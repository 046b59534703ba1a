// Settings for admins: every setting of the catalogue (server/api/setting_rules.cpp) with its secrets shown only
// as set or unset, a change checked and audited, the telephone system's token generated and rotated with a
// period in which the old one still works, and a test message through the SMS gateway or the SMTP server.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include "notifications/sms.hpp"
#include "notifications/smtp.hpp"
#include "server/api/routes.hpp"
#include "server/api/setting_rules.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/calendar.hpp"
#include "workflow/identity.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr const char* previous_token_key = "cti.token_previous";

json::object view_of(const SettingRule& rule, const std::map<std::string, store::StoredSetting>& stored) {
  auto it = stored.find(rule.name);
  auto view = setting_view(rule, it == stored.end() ? json::value(nullptr) : it->second.value);
  view["updated_at"] = it == stored.end() ? json::value(nullptr) : json::value(it->second.updated_at);
  return view;
}

json::object cti_view(const std::map<std::string, store::StoredSetting>& stored, workflow::Instant now) {
  auto view = view_of(setting_rule("cti.token"), stored);
  json::value until = nullptr;
  if (auto it = stored.find(previous_token_key); it != stored.end() && it->second.value.is_object())
    if (auto u = it->second.value.as_object().find("until");
        u != it->second.value.as_object().end() && u->value().is_int64())
      if (workflow::Instant(std::chrono::seconds(u->value().as_int64())) > now)
        until = workflow::format_local(workflow::Instant(std::chrono::seconds(u->value().as_int64())));
  view["previous_valid_until"] = std::move(until);
  return view;
}

awaitable<Response> list_settings(Services& services, RequestContext&) {
  const auto stored = co_await services.settings.all();
  json::array out;
  for (const auto& rule : setting_rules())
    out.push_back(rule.name == "cti.token" ? cti_view(stored, services.petitions.now()) : view_of(rule, stored));
  co_return http::json_response(http::Status::ok, {{"settings", std::move(out)}});
}

awaitable<Response> get_setting(Services& services, RequestContext& context) {
  const auto& rule = setting_rule(std::string(context.param("setting")));
  const auto stored = co_await services.settings.all();
  co_return http::json_response(
      http::Status::ok, rule.name == "cti.token" ? cti_view(stored, services.petitions.now()) : view_of(rule, stored));
}

awaitable<Response> put_setting(Services& services, RequestContext& context) {
  const auto& rule = setting_rule(std::string(context.param("setting")));
  auto body = http::json_object_body(context.request);
  for (const auto& field : body)
    if (field.key() != "value") throw Error(Errc::invalid_field, "unknown field", std::string(field.key()));
  auto given = body.find("value");
  if (given == body.end()) throw Error(Errc::invalid_field, "must be given (null turns the setting off)", "value");
  auto event = audit_event(context, "settings.changed", "setting", rule.name);
  const json::value input = given->value();  // GCC 12: no temporaries inside a co_await expression
  co_await store_setting(services.settings, services.units, rule, input, std::move(event));
  co_return co_await get_setting(services, context);
}

// A new token, shown this once; the old one keeps working for `overlap_minutes` (default 60) while the
// telephone system is switched over.
awaitable<Response> rotate_cti_token(Services& services, RequestContext& context) {
  std::int64_t overlap = 60;
  if (!context.request.body().empty()) {
    auto body = http::json_object_body(context.request);
    http::Fields fields(body);
    overlap = fields.optional_integer("overlap_minutes", 0, 7 * 24 * 60).value_or(60);
    fields.reject_unknown();
  }
  const auto old = (co_await services.settings.get("cti.token")).value_or(nullptr);
  const auto token = auth::random_token();
  const auto until = services.petitions.now() + std::chrono::minutes(overlap);
  std::vector<std::pair<std::string, json::value>> values{{"cti.token", json::string(token)}};
  const bool overlapping = old.is_string() && !old.as_string().empty() && overlap > 0;
  values.emplace_back(previous_token_key,
                      overlapping
                          ? json::value(json::object{{"token", old}, {"until", until.time_since_epoch().count()}})
                          : json::value(nullptr));
  auto event = audit_event(context, "settings.cti_token_rotated", "setting", "cti.token");
  event.details["overlap_minutes"] = overlapping ? overlap : 0;
  co_await services.settings.set(std::move(values), std::move(event));
  co_return http::json_response(
      http::Status::ok,
      {{"token", token},
       {"path", "/api/v1/cti/" + token},
       {"previous_valid_until", overlapping ? json::value(workflow::format_local(until)) : json::value(nullptr)}});
}

// The outcome of a test send: 200 either way, with the gateway's or the server's answer when it failed.
Response test_outcome(const std::optional<std::string>& error) {
  return http::json_response(http::Status::ok,
                             {{"sent", !error}, {"error", error ? json::value(*error) : json::value(nullptr)}});
}

awaitable<Response> test_sms(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  const auto phone = fields.text("phone", 20);
  fields.reject_unknown();
  if (!sms_number(phone)) throw Error(Errc::invalid_field, "must be a mobile number that can receive texts", "phone");
  const auto stored = (co_await services.settings.get("sms.gateway")).value_or(nullptr);
  notifications::SmsGateway gateway;
  try {
    gateway = notifications::sms_gateway_from(stored);
  } catch (const std::invalid_argument& e) {
    throw Error(Errc::invalid_field, e.what(), "sms.gateway");
  }
  const auto id = "petitiond-test-" + auth::random_token().substr(0, 12);
  auto send = [gateway, phone, id]() -> awaitable<std::optional<std::string>> {
    co_return notifications::send_sms(gateway, phone, "【12385】这是一条测试短信 / a test message from petitiond", id,
                                      std::chrono::seconds(10));
  };
  auto error = co_await boost::asio::co_spawn(services.workers, send(), boost::asio::use_awaitable);
  auto event = audit_event(context, "settings.tested", "setting", "sms.gateway");
  event.details["sent"] = !error;
  co_await services.audit.record(std::move(event));
  co_return test_outcome(error);
}

awaitable<Response> test_smtp(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  const auto to = fields.text("to", 254);
  fields.reject_unknown();
  const auto at = to.find('@');
  if (at == 0 || at == std::string::npos || at == to.size() - 1 || to.find_first_of(" <>\r\n,;") != std::string::npos)
    throw Error(Errc::invalid_field, "must be an e-mail address", "to");
  const auto stored = (co_await services.settings.get("smtp")).value_or(nullptr);
  if (stored.is_null()) throw Error(Errc::invalid_field, "no SMTP server is configured (setting smtp)", "smtp");
  notifications::SmtpSettings smtp;
  try {
    smtp = notifications::smtp_settings_from(stored);
  } catch (const std::invalid_argument& e) {
    throw Error(Errc::invalid_field, e.what(), "smtp");
  }
  notifications::Email email{
      to, "petitiond 测试邮件 / test e-mail",
      "这是一封测试邮件：12385 服务的邮件设置可以使用。\nThis is a test e-mail: the mail settings work.",
      "test-" + auth::random_token().substr(0, 16) + "@petitiond"};
  auto send = [smtp, email]() -> awaitable<std::optional<std::string>> {
    co_return notifications::send_email(smtp, email, std::chrono::seconds(15));
  };
  auto error = co_await boost::asio::co_spawn(services.workers, send(), boost::asio::use_awaitable);
  auto event = audit_event(context, "settings.tested", "setting", "smtp");
  event.details["sent"] = !error;
  co_await services.audit.record(std::move(event));
  co_return test_outcome(error);
}

}  // namespace

void add_settings_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/settings", admins,
             [&services](RequestContext& c) { return list_settings(services, c); });
  router.add(http::Verb::get, "/api/v1/settings/{setting}", admins,
             [&services](RequestContext& c) { return get_setting(services, c); });
  router.add(http::Verb::put, "/api/v1/settings/{setting}", admins,
             [&services](RequestContext& c) { return put_setting(services, c); });
  router.add(http::Verb::post, "/api/v1/settings/cti.token/rotate", admins,
             [&services](RequestContext& c) { return rotate_cti_token(services, c); });
  router.add(http::Verb::post, "/api/v1/settings/sms.gateway/test", admins,
             [&services](RequestContext& c) { return test_sms(services, c); });
  router.add(http::Verb::post, "/api/v1/settings/smtp/test", admins,
             [&services](RequestContext& c) { return test_smtp(services, c); });
}

}  // namespace petitiond::api
