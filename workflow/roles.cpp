#include "workflow/roles.hpp"

#include <algorithm>

namespace petitiond {

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::operator_: return "operator";
    case Role::proxy: return "proxy";
    case Role::handler: return "handler";
    case Role::manager: return "manager";
    case Role::admin: return "admin";
  }
  return "";
}

std::optional<Role> parse_role(std::string_view name) noexcept {
  for (auto role : all_roles)
    if (role_name(role) == name) return role;
  return std::nullopt;
}

std::vector<std::string> RoleSet::names() const {
  std::vector<std::string> out;
  for (auto role : all_roles)
    if (contains(role)) out.emplace_back(role_name(role));
  return out;
}

std::string_view scope_name(Scope scope) noexcept {
  switch (scope) {
    case Scope::read: return "read";
    case Scope::write: return "write";
    case Scope::cti: return "cti";
    case Scope::portal: return "portal";
  }
  return "";
}

std::optional<Scope> parse_scope(std::string_view name) noexcept {
  for (auto scope : {Scope::read, Scope::write, Scope::cti, Scope::portal})
    if (scope_name(scope) == name) return scope;
  return std::nullopt;
}

bool Actor::has_scope(Scope scope) const noexcept {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

}  // namespace petitiond
