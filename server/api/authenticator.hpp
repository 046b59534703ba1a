#pragma once
// Finds the actor behind a request: `Authorization: Bearer <API token>`, else the session cookie.
#include "server/api/services.hpp"
#include "server/http/access.hpp"

namespace petitiond::api {

inline constexpr std::string_view session_cookie = "petitiond_session";

// The value of a cookie in the request's Cookie header, or empty.
std::string cookie_value(const http::Request& request, std::string_view name);

class StoreAuthenticator final : public http::Authenticator {
 public:
  explicit StoreAuthenticator(Services& services) : services_(services) {}
  boost::asio::awaitable<std::optional<Actor>> authenticate(const http::Request& request) override;
  boost::asio::awaitable<void> record_denial(const http::RequestContext& context, std::string reason) override;

 private:
  Services& services_;
};

}  // namespace petitiond::api
