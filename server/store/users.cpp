#include "server/store/users.hpp"

#include <tuple>

#include "server/store/constraint_errors.hpp"
#include "core/error.hpp"

namespace petitiond::store {
namespace {

constexpr const char* user_select =
    "SELECT u.id, u.login, u.display_name, u.phone, u.unit_id, un.code, un.name, u.roles::text[], u.active"
    " FROM users u JOIN units un ON un.id = u.unit_id";

RoleSet roles_from(const std::vector<std::string>& names) {
  RoleSet roles;
  for (const auto& name : names)
    if (auto role = parse_role(name)) roles.insert(*role);
  return roles;
}

User user_from(const pg::Result& r, int row) {
  User user;
  user.id = r.integer(row, 0);
  user.login = r.text(row, 1);
  user.display_name = r.text(row, 2);
  user.phone = r.optional_text(row, 3);
  user.unit_id = r.integer(row, 4);
  user.unit_code = r.text(row, 5);
  user.unit_name = r.text(row, 6);
  user.roles = roles_from(r.words(row, 7));
  user.active = r.boolean(row, 8);
  return user;
}

}  // namespace

std::string visible_users_condition(const Actor& actor, pg::Statement& statement, int first) {
  statement.bind(actor.has(Role::admin)).bind(actor.has(Role::manager)).bind(actor.unit_path).bind(actor.user_id);
  auto p = [first](int i) { return "$" + std::to_string(first + i); };
  return "(" + p(0) + " OR (" + p(1) + " AND un.path <@ " + p(2) + "::ltree) OR u.id = " + p(3) + ")";
}

boost::asio::awaitable<std::vector<User>> UserStore::list(const Actor& actor, UserFilter filter) {
  std::optional<std::string> role;
  if (filter.role) role = std::string(role_name(*filter.role));
  pg::Statement statement("", filter.unit_code, role, filter.include_inactive);
  statement.sql = std::string(user_select) +
                  " WHERE ($1::text IS NULL OR un.path <@ (SELECT path FROM units WHERE code = $1))"
                  "   AND ($2::text IS NULL OR $2 = ANY (u.roles)) AND ($3 OR u.active)"
                  "   AND " +
                  visible_users_condition(actor, statement, 4) + " ORDER BY un.path, u.login";
  auto result = co_await pool_.run_one(std::move(statement));
  std::vector<User> users;
  for (int row = 0; row < result.rows(); ++row) users.push_back(user_from(result, row));
  co_return users;
}

boost::asio::awaitable<std::optional<User>> UserStore::find(const Actor& actor, std::int64_t id) {
  pg::Statement statement("", id);
  statement.sql = std::string(user_select) + " WHERE u.id = $1 AND " + visible_users_condition(actor, statement, 2);
  auto result = co_await pool_.run_one(std::move(statement));
  if (result.rows() == 0) co_return std::nullopt;
  co_return user_from(result, 0);
}

boost::asio::awaitable<User> UserStore::create(NewUser user, std::optional<std::string> password_hash,
                                               AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(
      {"INSERT INTO users (login, display_name, phone, unit_id, roles, password_hash, password_changed_at)"
       " SELECT $1, $2, $3, un.id, $5::text[], $6::text, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END"
       " FROM units un WHERE un.code = $4 AND un.active RETURNING id",
       user.login, user.display_name, user.phone, user.unit_code, pg::words_literal(user.roles.names()), password_hash},
      "no active unit has this code"));
  audit.target_type = "user";
  audit.target_id = user.login;
  statements.push_back(audit_insert(audit));
  statements.emplace_back(std::string(user_select) + " WHERE u.login = $1", user.login);
  std::vector<pg::Result> results;
  try {
    results = co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) throw Error(Errc::invalid_field, e.message(), "unit");
    rethrow_constraint(e, "login");
  }
  co_return user_from(results[2], 0);
}

boost::asio::awaitable<User> UserStore::update(const Actor& actor, std::int64_t id, UserChange change,
                                               AuditEvent audit) {
  std::optional<std::string> roles;
  if (change.roles) roles = pg::words_literal(change.roles->names());
  const bool phone_set = change.phone.has_value();
  pg::Statement statement("", id, change.display_name, phone_set, phone_set ? *change.phone : std::nullopt,
                          change.unit_code, roles, change.active);
  statement.sql =
      "UPDATE users u SET display_name = coalesce($2, u.display_name),"
      "  phone = CASE WHEN $3 THEN $4 ELSE u.phone END,"
      "  unit_id = coalesce((SELECT id FROM units WHERE code = $5 AND active), u.unit_id),"
      "  roles = coalesce($6::text[], u.roles), active = coalesce($7, u.active), updated_at = now()"
      " FROM units un WHERE un.id = u.unit_id AND u.id = $1"
      "   AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM units WHERE code = $5 AND active))"
      "   AND " +
      visible_users_condition(actor, statement, 8) + " RETURNING u.id";
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(std::move(statement), "no such user"));
  statements.emplace_back("DELETE FROM sessions WHERE user_id = $1 AND $2 IS FALSE", id, change.active);
  statements.push_back(audit_insert(audit));
  statements.emplace_back(std::string(user_select) + " WHERE u.id = $1", id);
  std::vector<pg::Result> results;
  bool not_found = false;
  try {
    results = co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() != Errc::not_found) rethrow_constraint(e, change.roles ? "roles" : "display_name");
    not_found = true;
  }
  if (not_found) {
    // Not visible (or absent) reads as not found; a visible user with a bad unit code is the client's mistake.
    if (change.unit_code && co_await find(actor, id))
      throw Error(Errc::invalid_field, "no active unit has this code", "unit");
    throw Error(Errc::not_found, "no such user");
  }
  co_return user_from(results[3], 0);
}

boost::asio::awaitable<bool> UserStore::set_password(std::string login, std::string password_hash, AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(
      {"UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE login = $1"
       " RETURNING id",
       login, password_hash},
      "no such user"));
  statements.emplace_back("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login = $1)", login);
  statements.push_back(audit_insert(audit));
  try {
    co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) co_return false;
    throw;
  }
  co_return true;
}

boost::asio::awaitable<std::optional<LoginRecord>> UserStore::login_record(std::string login) {
  pg::Statement statement("SELECT id, login, password_hash, active FROM users WHERE login = $1", login);
  auto result = co_await pool_.run_one(std::move(statement));
  if (result.rows() == 0) co_return std::nullopt;
  co_return LoginRecord{result.integer(0, 0), std::string(result.text(0, 1)), result.optional_text(0, 2),
                        result.boolean(0, 3)};
}

namespace {

constexpr const char* preference_columns =
    "email, language, notify_channels::text, to_char(quiet_from, 'HH24:MI'), to_char(quiet_until, 'HH24:MI')";

NotificationPreferences preferences_from(const pg::Result& rows) {
  if (rows.rows() == 0) throw Error(Errc::not_found, "no such user");
  return {rows.optional_text(0, 0), std::string(rows.text(0, 1)), rows.words(0, 2), rows.optional_text(0, 3),
          rows.optional_text(0, 4)};
}

}  // namespace

boost::asio::awaitable<NotificationPreferences> UserStore::preferences(std::int64_t user_id) {
  auto rows = co_await pool_.run_one(
      pg::Statement(std::string("SELECT ") + preference_columns + " FROM users WHERE id = $1", user_id));
  co_return preferences_from(rows);
}

boost::asio::awaitable<NotificationPreferences> UserStore::change_preferences(std::int64_t user_id,
                                                                              PreferencesChange change) {
  std::optional<std::string> quiet_from, quiet_until;
  if (change.quiet_hours) std::tie(quiet_from, quiet_until) = *change.quiet_hours;
  pg::Statement update(
      std::string("UPDATE users SET email = CASE WHEN $2 THEN $3 ELSE email END, language = coalesce($4, language),"
                  " notify_channels = coalesce($5::text[], notify_channels),"
                  " quiet_from = CASE WHEN $6 THEN $7::time ELSE quiet_from END,"
                  " quiet_until = CASE WHEN $6 THEN $8::time ELSE quiet_until END, updated_at = now()"
                  " WHERE id = $1 RETURNING ") +
          preference_columns,
      user_id, change.email.has_value(), change.email ? *change.email : std::nullopt, change.language,
      change.channels ? std::optional(pg::words_literal(*change.channels)) : std::nullopt, change.quiet_hours_given,
      quiet_from, quiet_until);
  auto rows = co_await pool_.run_one(std::move(update));
  co_return preferences_from(rows);
}

}  // namespace petitiond::store
