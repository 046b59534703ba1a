#include "server/api/services.hpp"

#include "core/error.hpp"

namespace petitiond::api {

boost::asio::awaitable<void> change_setting(Services& services, const http::RequestContext& context, const char* key,
                                            const boost::json::value& value, const char* detail) {
  auto event = audit_event(context, "settings.changed", "setting", key);
  event.details[detail] = value;
  co_await services.settings.set(key, value, std::move(event));
}

store::AuditEvent audit_event(const http::RequestContext& context, std::string action, std::string target_type,
                              std::string target_id) {
  store::AuditEvent event;
  event.action = std::move(action);
  if (context.actor) {
    event.actor_id = context.actor->user_id;
    event.actor_login = context.actor->login;
    if (context.actor->token_id) event.details["token_id"] = *context.actor->token_id;
  }
  event.target_type = std::move(target_type);
  event.target_id = std::move(target_id);
  event.address = context.remote_address;
  event.request_id = std::string(context.request_id);
  return event;
}

const Actor& actor_of(const http::RequestContext& context) {
  if (!context.actor) throw Error(Errc::internal, "route handler needs an actor but its route allows anyone");
  return *context.actor;
}

http::Response no_content() {
  http::Response response(http::Status::no_content, 11);
  return response;
}

}  // namespace petitiond::api
