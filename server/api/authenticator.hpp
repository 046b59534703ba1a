#pragma once
// Finds the actor behind a request: `Authorization: Bearer <API token>`, else the session cookie.
#include "server/api/services.hpp"
#include "server/http/access.hpp"
#include "server/http/event_hub.hpp"

namespace petitiond::api {

inline constexpr std::string_view session_cookie = "petitiond_session";

// The value of a cookie in the request's Cookie header, or empty.
std::string cookie_value(const http::Request& request, std::string_view name);

// Asks again who is behind a request's credential, without counting as the user's activity: an event
// stream calls it before each delivery, so that it ends with the right to receive.
using Recheck = http::ActorCheck;

class StoreAuthenticator final : public http::Authenticator {
 public:
  explicit StoreAuthenticator(Services& services) : services_(services) {}
  boost::asio::awaitable<std::optional<Actor>> authenticate(const http::Request& request) override;
  // The check above for `request`'s credential, kept for later (the request may be gone by then).
  static Recheck rechecker(Services& services, const http::Request& request);
  boost::asio::awaitable<void> record_denial(const http::RequestContext& context, std::string reason) override;

 private:
  Services& services_;
};

}  // namespace petitiond::api
