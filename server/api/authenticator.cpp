#include "server/api/authenticator.hpp"

namespace petitiond::api {

std::string cookie_value(const http::Request& request, std::string_view name) {
  std::string_view header = request[boost::beast::http::field::cookie];
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

namespace {

struct Credential {
  enum class Kind { none, token, session } kind = Kind::none;
  std::string secret;
};

Credential credential_of(const http::Request& request) {
  std::string_view authorization = request[boost::beast::http::field::authorization];
  if (authorization.starts_with("Bearer ")) {
    auto token = std::string(authorization.substr(7));
    if (token.empty() || token.size() > 128) return {};
    return {Credential::Kind::token, std::move(token)};
  }
  auto session = cookie_value(request, session_cookie);
  if (session.empty() || session.size() > 128) return {};
  return {Credential::Kind::session, std::move(session)};
}

boost::asio::awaitable<std::optional<Actor>> actor_behind(Services& services, Credential credential, bool touch) {
  switch (credential.kind) {
    case Credential::Kind::token: co_return co_await services.auth.token_actor(std::move(credential.secret));
    case Credential::Kind::session: co_return co_await services.auth.session_actor(std::move(credential.secret), touch);
    case Credential::Kind::none: break;
  }
  co_return std::nullopt;
}

}  // namespace

boost::asio::awaitable<std::optional<Actor>> StoreAuthenticator::authenticate(const http::Request& request) {
  co_return co_await actor_behind(services_, credential_of(request), true);
}

Recheck StoreAuthenticator::rechecker(Services& services, const http::Request& request) {
  return [&services, credential = credential_of(request)]() { return actor_behind(services, credential, false); };
}

boost::asio::awaitable<void> StoreAuthenticator::record_denial(const http::RequestContext& context,
                                                               std::string reason) {
  auto event = audit_event(context, "permission.denied", "route", std::string(context.route));
  event.details["method"] = std::string(context.request.method_string());
  event.details["reason"] = reason;
  co_await services_.audit.record(event);
}

}  // namespace petitiond::api
