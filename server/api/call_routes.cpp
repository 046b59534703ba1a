// What operators see of the telephone: the call log, the callback list of missed calls, callers blocked,
// and the server-sent event stream that brings a ringing caller's history to their screens.
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>

#include "server/api/authenticator.hpp"
#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/identity.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

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

json::value number_or_null(const std::optional<std::int64_t>& number) {
  return number ? json::value(*number) : json::value(nullptr);
}

json::object call_view(const store::CallRecord& call) {
  json::array users;
  for (const auto& user : call.users) users.emplace_back(user);
  return {{"call_id", call.call_id},
          {"direction", call.direction},
          {"from", citizen_side(call, call.from, "in")},
          {"to", citizen_side(call, call.to, "out")},
          {"queue", text_or_null(call.queue)},
          {"users", std::move(users)},
          {"started_at", call.started_at},
          {"answered_at", text_or_null(call.answered_at)},
          {"ended_at", text_or_null(call.ended_at)},
          {"cause", text_or_null(call.cause)},
          {"rejected", call.rejected},
          {"voicemail", call.voicemail},
          {"petition_id", number_or_null(call.petition_id)},
          {"answered_by", text_or_null(call.answered_by)},
          {"missed", call.missed},
          {"called_back_at", text_or_null(call.called_back_at)},
          {"called_back_by", text_or_null(call.called_back_by)},
          {"callback_call_id", text_or_null(call.callback_call_id)},
          {"wait_seconds", number_or_null(call.wait_seconds)},
          {"talk_seconds", number_or_null(call.talk_seconds)}};
}

json::array call_views(const std::vector<store::CallRecord>& records) {
  json::array calls;
  for (const auto& call : records) calls.push_back(call_view(call));
  return calls;
}

awaitable<Response> list_calls(Services& services, RequestContext& context) {
  auto limit = http::query_integer(context, "limit", 1, 200).value_or(50);
  // The citizen's side of each call (the caller, or the callee of a callback) is masked; the petition a call
  // was filed under is named only to those it does not accuse.
  auto records = co_await services.calls.recent(static_cast<int>(limit), actor_of(context).unit_path);
  co_return http::json_response(http::Status::ok, {{"calls", call_views(records)}});
}

awaitable<Response> calls_to_return(Services& services, RequestContext& context) {
  auto limit = http::query_integer(context, "limit", 1, 500).value_or(100);
  auto records = co_await services.calls.to_return(static_cast<int>(limit), actor_of(context).unit_path);
  co_return http::json_response(http::Status::ok, {{"calls", call_views(records)}});
}

awaitable<Response> mark_called_back(Services& services, RequestContext& context) {
  http::no_body_fields(context.request);
  const std::string call_id(context.param("call_id"));
  const auto& actor = actor_of(context);
  co_await services.calls.mark_called_back(call_id, actor.user_id, services.petitions.now(),
                                           audit_event(context, "call.called_back", "call", call_id));
  auto call = co_await services.calls.call(call_id, actor.unit_path);
  co_return http::json_response(http::Status::ok, call_view(*call));
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

void add_call_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::get, "/api/v1/calls", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return list_calls(services, c); });
  router.add(Verb::get, "/api/v1/calls/to-return", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return calls_to_return(services, c); });
  router.add(Verb::post, "/api/v1/calls/{call_id}/called-back", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return mark_called_back(services, c); });
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
