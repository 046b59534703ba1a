#pragma once
// Who acts: the roles a user holds, the scopes an API token is limited to, and the actor a request runs as.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petitiond {

enum class Role : std::uint8_t {
  operator_,  // hotline and reception desk
  proxy,      // 信访代理人: files and follows petitions for petitioners
  handler,    // acts for one unit
  manager,    // sees and reports over a unit's subtree
  admin,      // manages configuration
};
inline constexpr Role all_roles[] = {Role::operator_, Role::proxy, Role::handler, Role::manager, Role::admin};

std::string_view role_name(Role role) noexcept;  // "operator", "proxy", …
std::optional<Role> parse_role(std::string_view name) noexcept;

class RoleSet {
 public:
  RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles) {
    for (auto role : roles) insert(role);
  }
  void insert(Role role) noexcept { bits_ |= bit(role); }
  bool contains(Role role) const noexcept { return (bits_ & bit(role)) != 0; }
  bool intersects(RoleSet other) const noexcept { return (bits_ & other.bits_) != 0; }
  bool empty() const noexcept { return bits_ == 0; }
  std::vector<std::string> names() const;
  bool operator==(const RoleSet&) const = default;

 private:
  static std::uint8_t bit(Role role) noexcept { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(role)); }
  std::uint8_t bits_ = 0;
};

// What an API token may do on behalf of its user.
enum class Scope : std::uint8_t {
  read,    // GET and HEAD on the API
  write,   // every method on the API
  cti,     // the telephone system's endpoint
  portal,  // the public portal's endpoints
};
std::string_view scope_name(Scope scope) noexcept;
std::optional<Scope> parse_scope(std::string_view name) noexcept;

// The authenticated party of a request. Jurisdiction follows the unit: `unit_path` is the unit's
// position in the tree ("1.7.42"), so "within my subtree" is a prefix test the database can index.
struct Actor {
  std::int64_t user_id = 0;
  std::string login;
  std::string display_name;
  std::int64_t unit_id = 0;
  std::string unit_path;
  RoleSet roles;
  std::optional<std::int64_t> token_id;  // set when authenticated by an API token
  std::vector<Scope> scopes;             // the token's scopes; empty for a browser session
  std::string csrf_token;                // the session's; empty for tokens

  bool has(Role role) const noexcept { return roles.contains(role); }
  bool has_scope(Scope scope) const noexcept;
};

}  // namespace petitiond
