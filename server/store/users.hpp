#pragma once
// Users and their roles. Which users an actor may see is decided in the queries themselves: an admin
// sees everyone, a manager the users of their unit's subtree, anyone else only themselves.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"
#include "workflow/roles.hpp"

namespace petitiond::store {

struct User {
  std::int64_t id = 0;
  std::string login;
  std::string display_name;
  std::optional<std::string> phone;  // unmasked: the API layer masks it
  std::int64_t unit_id = 0;
  std::string unit_code;
  std::string unit_name;
  RoleSet roles;
  bool active = true;
};

struct NewUser {
  std::string login;
  std::string display_name;
  std::optional<std::string> phone;
  std::string unit_code;
  RoleSet roles;
};

struct UserChange {
  std::optional<std::string> display_name;
  std::optional<std::optional<std::string>> phone;
  std::optional<std::string> unit_code;
  std::optional<RoleSet> roles;
  std::optional<bool> active;
};

struct UserFilter {
  std::optional<std::string> unit_code;  // users of this unit's subtree
  std::optional<Role> role;
  bool include_inactive = false;
};

// What a log-in needs to know about an account.
struct LoginRecord {
  std::int64_t id;
  std::string login;
  std::optional<std::string> password_hash;
  bool active;
};

// How a user hears of what concerns them (docs/notifications.md).
struct NotificationPreferences {
  std::optional<std::string> email;
  std::string language;                                // "zh" or "en"
  std::vector<std::string> channels;                   // of in_app, sms, email
  std::optional<std::string> quiet_from, quiet_until;  // local HH:MM, both or neither
};

// A partial change: only what is set changes; email and the quiet hours may be set to none.
struct PreferencesChange {
  std::optional<std::optional<std::string>> email;
  std::optional<std::string> language;
  std::optional<std::vector<std::string>> channels;
  std::optional<std::pair<std::string, std::string>> quiet_hours;  // from, until
  bool quiet_hours_given = false;                                  // set to none when given without a value
};

class UserStore {
 public:
  explicit UserStore(pg::Pool& pool) : pool_(pool) {}

  boost::asio::awaitable<std::vector<User>> list(const Actor& actor, UserFilter filter);
  // Empty when the user does not exist or is outside the actor's view.
  boost::asio::awaitable<std::optional<User>> find(const Actor& actor, std::int64_t id);
  // Creates the user with an optional password hash (nullptr: no password log-in yet).
  boost::asio::awaitable<User> create(NewUser user, std::optional<std::string> password_hash, AuditEvent audit);
  // Applies a change to a user the actor can see; not_found otherwise. Deactivation ends their sessions.
  boost::asio::awaitable<User> update(const Actor& actor, std::int64_t id, UserChange change, AuditEvent audit);
  // Sets a new password hash and ends every session of the user. Returns false for an unknown login.
  boost::asio::awaitable<bool> set_password(std::string login, std::string password_hash, AuditEvent audit);
  boost::asio::awaitable<std::optional<LoginRecord>> login_record(std::string login);
  boost::asio::awaitable<NotificationPreferences> preferences(std::int64_t user_id);
  boost::asio::awaitable<NotificationPreferences> change_preferences(std::int64_t user_id, PreferencesChange change);

 private:
  pg::Pool& pool_;
};

// The SQL condition (over users `u` and their units `un`) limiting rows to what `actor` may see, with
// its parameters appended to `statement` starting at parameter number `first`.
std::string visible_users_condition(const Actor& actor, pg::Statement& statement, int first);

}  // namespace petitiond::store
