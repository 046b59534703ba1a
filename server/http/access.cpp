#include "server/http/access.hpp"

#include <sodium.h>

namespace petitiond::http {
namespace {

bool reads_only(Verb method) { return method == Verb::get || method == Verb::head || method == Verb::options; }

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string access_denial(const Route& route, const Request& request, const Actor& actor) {
  if (!route.access.roles.empty() && !actor.roles.intersects(route.access.roles)) {
    std::string needed;
    for (const auto& name : route.access.roles.names()) needed += (needed.empty() ? "" : " or ") + name;
    return "this needs the role " + needed;
  }
  if (actor.token_id) {
    const Scope needed = route.access.scope             ? *route.access.scope
                         : reads_only(request.method()) ? Scope::read
                                                        : Scope::write;
    const bool granted = actor.has_scope(needed) || (needed == Scope::read && actor.has_scope(Scope::write));
    if (!granted) return "the API token lacks the '" + std::string(scope_name(needed)) + "' scope";
    return {};
  }
  if (!reads_only(request.method()) && !same_secret(request["X-CSRF-Token"], actor.csrf_token))
    return "missing or wrong X-CSRF-Token header";
  return {};
}

}  // namespace petitiond::http
