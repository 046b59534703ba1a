// SMS replies (docs/telephony.md, "SMS replies"): the gateway reports each text a petitioner sends to
// POST /api/v1/sms/inbound/{token}; an answer on the satisfaction scale to the petition awaiting its callback
// that texted this number is recorded as that callback; anything else, and every "dissatisfied", waits in a
// list for an operator, who marks it handled once dealt with.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "server/api/routes.hpp"
#include "server/api/sms_inbound.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/masking.hpp"
#include "workflow/satisfaction_reply.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

awaitable<bool> inbound_token_matches(Services& services, std::string token) {
  auto gateway = co_await services.settings.get("sms.gateway");
  if (!gateway || !gateway->is_object()) co_return false;
  auto configured = gateway->as_object().find("inbound_token");
  if (configured == gateway->as_object().end() || !configured->value().is_string()) co_return false;
  co_return auth::equal_secrets(std::string(configured->value().as_string()), token);
}

// The callback is recorded in the name of the desk that registered the petition, as the petitioner's own
// answer: the timeline names the text message, not an operator.
Actor reply_actor(const store::AwaitingCallback& awaiting) {
  Actor actor;
  actor.login = "sms";
  actor.display_name = "信访人短信评价";
  actor.unit_id = awaiting.intake_unit_id;
  actor.unit_path = awaiting.intake_unit_path;
  actor.roles = {Role::operator_};
  return actor;
}

std::string sms_notice(std::int64_t id) { return json::serialize(json::object{{"event", "sms_reply"}, {"id", id}}); }

store::ActionRequest callback_request(const store::AwaitingCallback& awaiting, const std::string& satisfaction) {
  store::ActionRequest callback;
  callback.transition = "callback";
  callback.fields["satisfaction"] = satisfaction;
  callback.expected_version = awaiting.version;
  return callback;
}

json::object counts_view(const std::map<std::string, int>& outcomes, std::size_t received) {
  json::object counts{{"received", received}};
  for (const auto& [outcome, count] : outcomes) counts[outcome] = count;
  return counts;
}

// Takes one reply; returns how it was settled.
awaitable<std::string> take_reply(Services& services, store::InboundSms sms) {
  const auto now = services.petitions.now();
  auto received = co_await services.sms_replies.receive(sms, now);
  if (received.settled) co_return std::string("repeated");
  const auto satisfaction = workflow::satisfaction_in_reply(sms.text);
  std::vector<std::int64_t> ids;
  for (const auto& awaiting : received.awaiting) ids.push_back(awaiting.petition_id);
  std::string outcome = "unrecognised";
  std::optional<std::int64_t> recorded_on;
  if (satisfaction && received.awaiting.empty()) outcome = "no_petition";
  if (satisfaction && received.awaiting.size() > 1) outcome = "ambiguous";
  if (satisfaction && received.awaiting.size() == 1) {
    const auto& awaiting = received.awaiting.front();
    auto callback = callback_request(awaiting, *satisfaction);
    const auto actor = reply_actor(awaiting);
    try {
      co_await services.petitions.act(actor, awaiting.petition_id, std::move(callback));
      outcome = "recorded";
      recorded_on = awaiting.petition_id;
    } catch (const Error& e) {
      outcome = "not_recorded";  // the petition moved on meanwhile: an operator reads the reply
      spdlog::warn("SMS reply {} was not recorded as the callback of petition {}: {}", received.id,
                   awaiting.petition_id, e.what());
    }
  }
  co_await services.sms_replies.settle(received.id, outcome, satisfaction, ids, recorded_on);
  const bool to_read = outcome != "recorded" || satisfaction == "dissatisfied" || satisfaction == "very_dissatisfied";
  if (to_read) {
    auto notice = sms_notice(received.id);
    co_await services.calls.tell_operators(std::move(notice));
  }
  co_return outcome;
}

awaitable<Response> sms_inbound(Services& services, RequestContext& context) {
  const std::string token(context.param("token"));
  const bool valid = co_await inbound_token_matches(services, token);
  if (!valid) throw Error(Errc::unauthorized, "this address does not take SMS replies (see the sms.gateway setting)");
  auto messages = inbound_sms(context.request);
  std::map<std::string, int> outcomes;
  for (auto& sms : messages) {
    auto outcome = co_await take_reply(services, std::move(sms));
    ++outcomes[outcome];
  }
  co_return http::json_response(http::Status::ok, counts_view(outcomes, messages.size()));
}

json::object reply_view(const store::SmsReply& reply) {
  json::array petitions;
  for (const auto& p : reply.petitions)
    petitions.push_back(json::object{{"id", p.id}, {"tracking_code", p.tracking_code}, {"state", p.state}});
  return {{"id", reply.id},
          {"from", mask_phone(reply.from)},
          {"text", reply.text},
          {"received_at", reply.received_at},
          {"outcome", reply.outcome},
          {"satisfaction", reply.satisfaction ? json::value(*reply.satisfaction) : json::value(nullptr)},
          {"petitions", std::move(petitions)}};
}

json::object replies_view(const std::vector<store::SmsReply>& replies) {
  json::array items;
  for (const auto& reply : replies) items.push_back(reply_view(reply));
  return {{"replies", std::move(items)}};
}

awaitable<Response> replies_to_read(Services& services, RequestContext& context) {
  auto limit = http::query_integer(context, "limit", 1, 500).value_or(100);
  auto replies = co_await services.sms_replies.to_read(actor_of(context), static_cast<int>(limit));
  co_return http::json_response(http::Status::ok, replies_view(replies));
}

awaitable<Response> mark_handled(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "reply_id");
  // A reply the operator may not read is not found, whatever the body says.
  auto waiting = co_await services.sms_replies.to_read(actor_of(context), 1, id);
  if (waiting.empty()) throw Error(Errc::not_found, "no reply waiting to be read has this id");
  http::no_body_fields(context.request);
  co_await services.sms_replies.mark_handled(
      actor_of(context), id, audit_event(context, "sms.reply_handled", "sms_reply", std::to_string(id)));
  co_return no_content();
}

}  // namespace

void add_sms_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::post, "/api/v1/sms/inbound/{token}", Access::anyone(),
             [&services](RequestContext& c) { return sms_inbound(services, c); });
  router.add(Verb::get, "/api/v1/sms/replies", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return replies_to_read(services, c); });
  router.add(Verb::post, "/api/v1/sms/replies/{reply_id}/handled", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return mark_handled(services, c); });
}

}  // namespace petitiond::api
