// The telephone system's endpoint, compatible with Zammad's Generic CTI (docs interfaces.md §1), and the
// server-sent event stream that brings a ringing caller's history to the operators' screens.
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "server/api/authenticator.hpp"
#include "server/api/petition_views.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "server/logging/log.hpp"
#include "workflow/identity.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

// Zammad answers the telephone system with its own small bodies, not the API's error shape.
Response cti_reply(http::Status status, const json::object& body) { return http::json_response(status, body); }
Response cti_error(http::Status status, const char* message) { return cti_reply(status, {{"error", message}}); }

using CtiFields = std::map<std::string, std::vector<std::string>>;
// A field repeated more often than this (user[] naming the agents a call rings) keeps its first values.
constexpr std::size_t max_cti_values = 20;

// JSON, or form data where users repeat as user[]=…
std::optional<CtiFields> cti_fields(const http::Request& request) {
  CtiFields fields;
  auto type = request[http::beast::http::field::content_type];
  if (type.starts_with("application/json")) {
    auto body = http::json_object_body(request);
    for (const auto& [key, value] : body) {
      auto& out = fields[std::string(key)];
      if (value.is_string()) out.emplace_back(value.as_string());
      else if (value.is_array())
        for (const auto& item : value.as_array()) {
          if (item.is_string() && out.size() < max_cti_values) out.emplace_back(item.as_string());
        }
      else if (value.is_number()) out.push_back(json::serialize(value));
    }
  } else if (type.starts_with("application/x-www-form-urlencoded")) {
    if (!boost::urls::parse_query(request.body())) return std::nullopt;
    boost::urls::encoding_opts form;
    form.space_as_plus = true;
    for (auto param : boost::urls::params_view(request.body(), form)) {
      std::string key = param.key;
      if (key.ends_with("[]")) key.resize(key.size() - 2);
      if (param.has_value && fields[key].size() < max_cti_values) fields[key].push_back(param.value);
    }
  } else {
    return std::nullopt;
  }
  // A field with a value that is not plain text (invalid UTF-8, control characters) or too long is unusable:
  // treated as absent.
  auto unusable = [](const std::string& value) {
    return !http::valid_utf8(value) || value.size() > 200 ||
           std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20; });
  };
  for (auto& [key, values] : fields)
    if (std::any_of(values.begin(), values.end(), unusable)) values.clear();
  return fields;
}

std::optional<std::string> first(const CtiFields& fields, const char* name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.empty() || it->second.front().empty()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> all(const CtiFields& fields, const char* name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> key_of(const std::optional<std::string>& number) {
  if (!number) return std::nullopt;
  auto key = normalise_phone(*number);
  if (key.empty()) return std::nullopt;
  return key;
}

// Every petitiond process LISTENs on call_channel (push_call_event below), so the operators connected to
// any of them see the call, whichever process the telephone system reached.
awaitable<void> notify_operators(Services& services, const json::object& notice) {
  co_await services.calls.tell_operators(json::serialize(notice));
}

enum class TokenCheck { off, valid, invalid };

// The token the telephone system presents: the current one, or the one it replaced while the rotation's
// overlap lasts (`cti.token_previous`, set by POST /api/v1/settings/cti.token/rotate).
awaitable<TokenCheck> check_cti_token(Services& services, const std::string& token) {
  auto configured = co_await services.settings.get("cti.token");
  if (!configured || !configured->is_string() || configured->as_string().empty()) co_return TokenCheck::off;
  if (auth::equal_secrets(std::string(configured->as_string()), token)) co_return TokenCheck::valid;
  auto previous = co_await services.settings.get("cti.token_previous");
  if (previous && previous->is_object()) {
    const auto& p = previous->as_object();
    auto old = p.find("token");
    auto until = p.find("until");
    if (old != p.end() && old->value().is_string() && until != p.end() && until->value().is_int64() &&
        services.petitions.now() < workflow::Instant(std::chrono::seconds(until->value().as_int64())) &&
        auth::equal_secrets(std::string(old->value().as_string()), token))
      co_return TokenCheck::valid;
  }
  co_return TokenCheck::invalid;
}

awaitable<Response> cti_event(Services& services, RequestContext& context) {
  const std::string token(context.param("token"));
  const auto check = co_await check_cti_token(services, token);
  if (check == TokenCheck::off)
    co_return cti_error(http::Status::unprocessable_entity,
                        "Feature is disable, please contact your admin to enable it!");
  if (check == TokenCheck::invalid)
    co_return cti_error(http::Status::unauthorized, "Invalid token, please contact your admin!");

  auto fields = cti_fields(context.request);
  if (!fields) co_return cti_error(http::Status::unprocessable_entity, "Send JSON or form data!");
  auto event = first(*fields, "event");
  auto direction = first(*fields, "direction");
  auto call_id = first(*fields, "callId");
  if (direction != "in" && direction != "out")
    co_return cti_error(http::Status::unprocessable_entity, "Invalid direction!");
  if (!call_id) co_return cti_error(http::Status::unprocessable_entity, "Invalid callId!");
  auto from = first(*fields, "from").value_or("anonymous");
  auto to = first(*fields, "to").value_or("");
  // The other party: the caller on an inbound call, the callee on an outbound one.
  const auto caller = key_of(*direction == "in" ? std::optional(from) : std::optional(to));

  if (event == "newCall") {
    bool reject = false;
    if (*direction == "in" && caller) reject = co_await services.calls.is_blocked(*caller);
    store::NewCall call{
        *call_id, *direction, from, key_of(from), to, key_of(to), first(*fields, "queue"), all(*fields, "user"),
        reject};
    co_await services.calls.record_new(std::move(call));
    if (reject) co_return cti_reply(http::Status::ok, {{"action", "reject"}, {"reason", "busy"}});
    if (*direction == "in") {
      json::object notice{{"event", "call"}, {"call_id", *call_id}, {"direction", *direction}, {"to", to}};
      if (caller) notice["phone_key"] = *caller;
      co_await notify_operators(services, notice);
    }
  } else if (event == "answer") {
    co_await services.calls.record_answer(*call_id, first(*fields, "answeringNumber"), all(*fields, "user"));
    const json::object notice{{"event", "call_answered"}, {"call_id", *call_id}};
    co_await notify_operators(services, notice);
  } else if (event == "hangup") {
    auto cause = first(*fields, "cause");
    static const std::set<std::string> causes{"normalClearing", "busy",     "cancel",   "noAnswer",
                                              "congestion",     "notFound", "forwarded"};
    if (cause && !causes.count(*cause)) co_return cti_error(http::Status::unprocessable_entity, "Invalid cause!");
    co_await services.calls.record_hangup(*call_id, cause, first(*fields, "answeringNumber"));
    json::object notice{{"event", "call_ended"}, {"call_id", *call_id}};
    notice["cause"] = cause ? json::value(*cause) : json::value(nullptr);
    co_await notify_operators(services, notice);
  } else {
    co_return cti_error(http::Status::unprocessable_entity, "Invalid event!");
  }
  co_return cti_reply(http::Status::ok, {});
}

awaitable<Response> event_stream(Services& services, RequestContext& context) {
  auto executor = co_await boost::asio::this_coro::executor;
  auto subscription =
      services.events.subscribe(executor, actor_of(context), StoreAuthenticator::rechecker(services, context.request));
  auto& hub = services.events;
  http::EventStream stream = [&hub, subscription](http::EventSink& sink) { return hub.stream(subscription, sink); };
  context.stream = std::move(stream);
  auto response = http::text_response(http::Status::ok, "", "text/event-stream; charset=utf-8");
  response.set("X-Accel-Buffering", "no");
  co_return response;
}

// A number of the call log: masked when it is the citizen's side of the call (`citizen_direction`).
json::value citizen_side(const store::CallRecord& call, const std::optional<std::string>& number,
                         std::string_view citizen_direction) {
  if (call.direction != citizen_direction) return number ? json::value(*number) : json::value(nullptr);
  return number ? json::value(mask_phone(*number)) : json::value("anonymous");
}

json::value text_or_null(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

awaitable<Response> list_calls(Services& services, RequestContext& context) {
  auto limit = http::query_integer(context, "limit", 1, 200).value_or(50);
  // The citizen's side of each call (the caller, or the callee of a callback) is masked; the petition a call
  // was filed under is named only to those it does not accuse.
  auto records = co_await services.calls.recent(static_cast<int>(limit), actor_of(context).unit_path);
  json::array calls;
  for (const auto& call : records)
    calls.push_back(
        json::object{{"call_id", call.call_id},
                     {"direction", call.direction},
                     {"from", citizen_side(call, call.from, "in")},
                     {"to", citizen_side(call, call.to, "out")},
                     {"started_at", call.started_at},
                     {"answered_at", text_or_null(call.answered_at)},
                     {"ended_at", text_or_null(call.ended_at)},
                     {"cause", text_or_null(call.cause)},
                     {"rejected", call.rejected},
                     {"petition_id", call.petition_id ? json::value(*call.petition_id) : json::value(nullptr)},
                     {"answered_by", text_or_null(call.answered_by)},
                     {"missed", call.missed}});
  co_return http::json_response(http::Status::ok, {{"calls", std::move(calls)}});
}

awaitable<Response> list_blocked(Services& services, RequestContext&) {
  auto blocked = co_await services.calls.blocked();
  json::array callers;
  for (const auto& caller : blocked)
    callers.push_back(
        json::object{{"phone", mask_phone(caller.phone_key)},
                     {"id", caller.phone_key},  // the key to remove it by: an admin blocked this number knowingly
                     {"reason", caller.reason},
                     {"created_at", caller.created_at},
                     {"created_by", text_or_null(caller.created_by)}});
  co_return http::json_response(http::Status::ok, {{"blocked_callers", std::move(callers)}});
}

awaitable<Response> block_caller(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto phone = fields.text("phone", 40);
  auto reason = fields.text("reason", 200);
  fields.reject_unknown();
  auto key = normalise_phone(phone);
  if (key.empty() || !phone_problem(phone).empty()) throw Error(Errc::invalid_field, "is not a phone number", "phone");
  auto event = audit_event(context, "cti.caller_blocked", "phone", mask_phone(key));
  event.details["reason"] = reason;
  co_await services.calls.block(key, reason, actor_of(context).user_id, std::move(event));
  co_return http::json_response(http::Status::created, {{"id", key}, {"phone", mask_phone(key)}, {"reason", reason}});
}

awaitable<Response> unblock_caller(Services& services, RequestContext& context) {
  const std::string key(context.param("phone_id"));
  auto event = audit_event(context, "cti.caller_unblocked", "phone", mask_phone(key));
  co_await services.calls.unblock(key, std::move(event));
  co_return no_content();
}

}  // namespace

awaitable<void> push_call_event(Services& services, std::string payload) {
  auto notice = json::parse(payload).as_object();
  const std::string event(notice.at("event").as_string());
  json::object data{{"call_id", notice.at("call_id")}};
  if (event == "call") {
    data["direction"] = notice.at("direction");
    data["to"] = notice.at("to");
    if (auto key = notice.if_contains("phone_key")) {
      std::string phone_key(key->as_string());
      data["from"] = mask_phone(phone_key);
      auto history = co_await services.petitions.caller_history(phone_key, std::optional<std::string>());
      data["history"] = caller_history_view(history, *services.calendars.current(), services.petitions.now());
    } else {
      data["from"] = "anonymous";
    }
  } else if (event == "call_ended") {
    data["cause"] = notice.at("cause");
  }
  services.events.publish({event, json::serialize(data), RoleSet{Role::operator_}, std::nullopt});
}

void add_cti_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::post, "/api/v1/cti/{token}", Access::anyone(),
             [&services](RequestContext& c) { return cti_event(services, c); });
  router.add(Verb::get, "/api/v1/calls", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return list_calls(services, c); });
  router.add(Verb::get, "/api/v1/blocked-callers", Access::only({Role::admin}),
             [&services](RequestContext& c) { return list_blocked(services, c); });
  router.add(Verb::post, "/api/v1/blocked-callers", Access::only({Role::admin}),
             [&services](RequestContext& c) { return block_caller(services, c); });
  router.add(Verb::delete_, "/api/v1/blocked-callers/{phone_id}", Access::only({Role::admin}),
             [&services](RequestContext& c) { return unblock_caller(services, c); });
  router.add(Verb::get, "/api/v1/events", Access::users(),
             [&services](RequestContext& c) { return event_stream(services, c); });
}

}  // namespace petitiond::api
