#pragma once
// Route-level access: who is asking (an injected Authenticator) and whether their roles, token scopes
// and CSRF token allow this route. Which records they may touch is decided in the store's queries.
#include <optional>
#include <string>

#include "server/http/router.hpp"

namespace petitiond::http {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The actor named by the request's credentials (session cookie or bearer token), or none.
  virtual asio::awaitable<std::optional<Actor>> authenticate(const Request& request) = 0;
  // Records a refusal (audit log).
  virtual asio::awaitable<void> record_denial(const RequestContext& context, std::string reason) = 0;
};

// Why `actor` may not call `route` with this request, or empty when they may.
std::string access_denial(const Route& route, const Request& request, const Actor& actor);

}  // namespace petitiond::http
