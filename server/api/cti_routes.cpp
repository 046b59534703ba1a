// The telephone system's endpoint, compatible with Zammad's Generic CTI (docs/telephony.md): the request
// shapes of cti_request.cpp, the caller log's rules of Zammad's Cti::Log, and the screen-pop that offers a
// ringing call to the operators it names or, naming none, to every operator not on a call.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/api/cti_request.hpp"
#include "server/api/petition_views.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/response.hpp"
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
Response cti_error(http::Status status, const std::string& message) { return cti_reply(status, {{"error", message}}); }

std::optional<std::string> key_of(const std::optional<std::string>& number) {
  if (!number) return std::nullopt;
  auto key = normalise_phone(*number);
  if (key.empty()) return std::nullopt;
  return key;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Whom answeringNumber names, in Zammad's order: the user's phone (compared normalised), login, then id.
std::optional<std::int64_t> agent_answering(const std::vector<store::Agent>& agents,
                                            const std::optional<std::string>& answering) {
  if (!answering) return std::nullopt;
  if (auto key = key_of(answering))
    for (const auto& agent : agents)
      if (agent.phone && normalise_phone(*agent.phone) == *key) return agent.id;
  for (const auto& agent : agents)
    if (agent.login == lower(*answering)) return agent.id;
  for (const auto& agent : agents)
    if (std::to_string(agent.id) == *answering) return agent.id;
  return std::nullopt;
}

// The operators `user[]` names: by login (any case) or by the name shown for them.
std::vector<std::int64_t> agents_named(const std::vector<store::Agent>& agents, const std::vector<std::string>& users) {
  std::vector<std::int64_t> ids;
  for (const auto& user : users)
    for (const auto& agent : agents)
      if ((agent.login == lower(user) || agent.display_name == user) &&
          std::find(ids.begin(), ids.end(), agent.id) == ids.end())
        ids.push_back(agent.id);
  return ids;
}

// Whom a ringing inbound call is offered to: the operators it names (user[], or the dialled number being
// an operator's own), else every operator not on a call. An outbound call goes to whoever dials it.
std::vector<std::int64_t> offered_to(const std::vector<store::Agent>& agents, const store::CallEvent& call) {
  auto named = agents_named(agents, call.users);
  if (call.direction == "out") return named;
  if (auto dialled = agent_answering(agents, call.to_key))
    if (std::find(named.begin(), named.end(), *dialled) == named.end()) named.push_back(*dialled);
  if (!named.empty()) return named;
  std::vector<std::int64_t> free;
  for (const auto& agent : agents)
    if (!agent.on_call) free.push_back(agent.id);
  return free;
}

bool is_voicemail(const std::vector<std::string>& users) {
  return users.size() == 1 && lower(users.front()) == "voicemail";
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

// Every petitiond process LISTENs on call_channel (push_call_event below), so the operators connected to
// any of them see the call, whichever process the telephone system reached.
awaitable<void> notify_operators(Services& services, const json::object& notice) {
  co_await services.calls.tell_operators(json::serialize(notice));
}

awaitable<Response> cti_event(Services& services, RequestContext& context) {
  const std::string token(context.param("token"));
  const auto check = co_await check_cti_token(services, token);
  if (check == TokenCheck::off)
    co_return cti_error(http::Status::unprocessable_entity, "Feature is disabled, please contact your administrator!");
  if (check == TokenCheck::invalid)
    co_return cti_error(http::Status::unauthorized, "Invalid token, please contact your admin!");

  auto request = cti_request(context);
  if (!request.refused.empty())
    co_return cti_error(http::Status::unprocessable_entity, "Invalid " + request.refused + "!");
  if (!request.fields) co_return cti_error(http::Status::unprocessable_entity, "Send JSON or form data!");
  const auto& fields = *request.fields;
  auto event = first(fields, "event");
  auto direction = first(fields, "direction");
  auto call_id = first(fields, "callId");
  if (!call_id) call_id = first(fields, "call_id");
  if (direction != "in" && direction != "out")
    co_return cti_error(http::Status::unprocessable_entity, "Invalid direction!");
  if (event != "newCall" && event != "answer" && event != "hangup")
    co_return cti_error(http::Status::unprocessable_entity, "Invalid event!");
  if (!call_id) co_return cti_error(http::Status::unprocessable_entity, "Invalid callId!");

  store::CallEvent call;
  call.call_id = *call_id;
  call.direction = *direction;
  call.from_number = first(fields, "from").value_or("anonymous");
  call.from_key = key_of(call.from_number);
  call.to_number = first(fields, "to").value_or("");
  call.to_key = key_of(call.to_number);
  call.queue = first(fields, "queue");
  call.users = all(fields, "user");
  call.answering = first(fields, "answeringNumber");
  call.cause = first(fields, "cause");
  call.at = services.petitions.now();
  // The other party: the caller on an inbound call, the callee on an outbound one.
  const auto citizen = call.direction == "in" ? call.from_key : call.to_key;

  if (*event == "newCall") {
    if (call.direction == "in" && citizen) call.rejected = co_await services.calls.is_blocked(*citizen);
    const bool rejected = call.rejected;
    const auto agents = co_await services.calls.agents(call.at);
    const auto offer = offered_to(agents, call);
    const bool logged = co_await services.calls.record_new(call);
    if (rejected) co_return cti_reply(http::Status::ok, {{"action", "reject"}, {"reason", "busy"}});
    if (logged && !offer.empty()) {
      json::object notice{{"event", "call"},
                          {"call_id", call.call_id},
                          {"direction", call.direction},
                          {"from", call.from_number},
                          {"to", call.to_number}};
      if (citizen) notice["phone_key"] = *citizen;
      json::array to;
      for (auto id : offer) to.push_back(id);
      notice["offered_to"] = std::move(to);
      co_await notify_operators(services, notice);
    }
  } else if (*event == "answer") {
    const auto agents = co_await services.calls.agents(call.at);
    call.agent = agent_answering(agents, call.answering);
    if (!call.agent) {
      auto named = agents_named(agents, call.users);
      if (!named.empty()) call.agent = named.front();
    }
    call.voicemail = is_voicemail(call.users);
    if (co_await services.calls.record_answer(call)) {
      json::object notice{{"event", "call_answered"}, {"call_id", call.call_id}};
      notice["answered_by"] = call.agent ? json::value(*call.agent) : json::value(nullptr);
      co_await notify_operators(services, notice);
    }
  } else {
    if (co_await services.calls.record_hangup(call)) {
      json::object notice{{"event", "call_ended"}, {"call_id", call.call_id}};
      notice["cause"] = call.cause ? json::value(*call.cause) : json::value(nullptr);
      co_await notify_operators(services, notice);
    }
  }
  co_return cti_reply(http::Status::ok, {});
}

// What an operator's screen shows of a number: the citizen's side masked.
json::value shown_number(const std::string& number, bool citizen) {
  if (!citizen) return json::value(number);
  auto key = key_of(number);
  return key ? json::value(mask_phone(*key)) : json::value("anonymous");
}

http::ServerEvent sms_reply_event(std::int64_t id) {
  return {"sms_reply", json::serialize(json::object{{"id", id}}), RoleSet{Role::operator_}, {}};
}

}  // namespace

awaitable<void> push_call_event(Services& services, std::string payload) {
  auto notice = json::parse(payload).as_object();
  const std::string event(notice.at("event").as_string());
  if (event == "sms_reply") {  // only its id: each operator's list is read through the visibility rule
    services.events.publish(sms_reply_event(notice.at("id").to_number<std::int64_t>()));
    co_return;
  }
  json::object data{{"call_id", notice.at("call_id")}};
  http::ServerEvent pushed{event, "", RoleSet{Role::operator_}, {}};
  if (event == "call") {
    const std::string direction(notice.at("direction").as_string());
    data["direction"] = direction;
    data["from"] = shown_number(std::string(notice.at("from").as_string()), direction == "in");
    data["to"] = shown_number(std::string(notice.at("to").as_string()), direction == "out");
    if (auto key = notice.if_contains("phone_key")) {
      std::string phone_key(key->as_string());
      data["citizen"] = mask_phone(phone_key);
      auto history = co_await services.petitions.caller_history(phone_key, std::optional<std::string>());
      data["history"] = caller_history_view(history, *services.calendars.current(), services.petitions.now());
    } else {
      data["citizen"] = "anonymous";
    }
    pushed.roles = RoleSet{};
    for (const auto& id : notice.at("offered_to").as_array()) pushed.user_ids.push_back(id.to_number<std::int64_t>());
  } else if (event == "call_answered") {
    data["answered_by"] = notice.at("answered_by");
  } else if (event == "call_ended") {
    data["cause"] = notice.at("cause");
  }
  pushed.data = json::serialize(data);
  services.events.publish(pushed);
}

void add_cti_routes(http::Router& router, Services& services) {
  router.add(http::Verb::post, "/api/v1/cti/{token}", http::Access::anyone(),
             [&services](RequestContext& c) { return cti_event(services, c); });
}

}  // namespace petitiond::api
