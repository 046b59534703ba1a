#include "server/store/auth.hpp"

#include "server/auth/secrets.hpp"
#include "server/store/constraint_errors.hpp"

namespace petitiond::store {
namespace {

constexpr const char* actor_columns = "u.id, u.login, u.display_name, u.unit_id, un.path::text, u.roles::text[]";

Actor actor_from(const pg::Result& r, int row) {
  Actor actor;
  actor.user_id = r.integer(row, 0);
  actor.login = r.text(row, 1);
  actor.display_name = r.text(row, 2);
  actor.unit_id = r.integer(row, 3);
  actor.unit_path = r.text(row, 4);
  for (const auto& name : r.words(row, 5))
    if (auto role = parse_role(name)) actor.roles.insert(*role);
  return actor;
}

std::string scopes_literal(const std::vector<Scope>& scopes) {
  std::vector<std::string> names;
  for (auto scope : scopes) names.emplace_back(scope_name(scope));
  return pg::words_literal(names);
}

constexpr const char* token_select =
    "SELECT t.id, t.name, t.user_id, u.login, t.scopes::text[],"
    " to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(t.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(t.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM api_tokens t JOIN users u ON u.id = t.user_id";

ApiToken token_from(const pg::Result& r, int row) {
  ApiToken token{
      r.integer(row, 0),           std::string(r.text(row, 1)), r.integer(row, 2),      std::string(r.text(row, 3)), {},
      std::string(r.text(row, 5)), r.optional_text(row, 6),     r.optional_text(row, 7)};
  for (const auto& name : r.words(row, 4))
    if (auto scope = parse_scope(name)) token.scopes.push_back(*scope);
  return token;
}

}  // namespace

boost::asio::awaitable<std::optional<Actor>> AuthStore::session_actor(std::string token, bool touch) {
  const auto digest = auth::token_digest(token);
  const double idle = static_cast<double>(sessions_.idle_timeout.count());
  // last_seen_at is refreshed at most every idle/4 (and at least once a minute), not on every request.
  const double touch_after = std::min(60.0, idle / 4);
  std::vector<pg::Statement> statements;
  statements.emplace_back(std::string("SELECT ") + actor_columns +
                              ", s.csrf_token FROM sessions s"
                              " JOIN users u ON u.id = s.user_id JOIN units un ON un.id = u.unit_id"
                              " WHERE s.token_hash = $1::bytea AND s.expires_at > now() AND s.last_seen_at > now() - "
                              "make_interval(secs => $2)"
                              "   AND u.active",
                          digest, idle);
  if (touch)
    statements.emplace_back(
        "UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1::bytea AND expires_at > now()"
        " AND last_seen_at > now() - make_interval(secs => $2) AND last_seen_at < now() - make_interval(secs => $3)",
        digest, idle, touch_after);
  auto results = co_await pool_.run(std::move(statements));
  if (results[0].rows() == 0) co_return std::nullopt;
  auto actor = actor_from(results[0], 0);
  actor.csrf_token = results[0].text(0, 6);
  co_return actor;
}

boost::asio::awaitable<std::optional<Actor>> AuthStore::token_actor(std::string token) {
  const auto digest = auth::token_digest(token);
  std::vector<pg::Statement> statements;
  statements.emplace_back(std::string("SELECT ") + actor_columns +
                              ", t.id, t.scopes::text[] FROM api_tokens t"
                              " JOIN users u ON u.id = t.user_id JOIN units un ON un.id = u.unit_id"
                              " WHERE t.token_hash = $1::bytea AND t.revoked_at IS NULL AND u.active",
                          digest);
  statements.emplace_back(
      "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1::bytea AND revoked_at IS NULL"
      " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
      digest);
  auto results = co_await pool_.run(std::move(statements));
  if (results[0].rows() == 0) co_return std::nullopt;
  auto actor = actor_from(results[0], 0);
  actor.token_id = results[0].integer(0, 6);
  for (const auto& name : results[0].words(0, 7))
    if (auto scope = parse_scope(name)) actor.scopes.push_back(*scope);
  co_return actor;
}

boost::asio::awaitable<void> AuthStore::open_session(std::int64_t user_id, std::string token, std::string csrf_token,
                                                     std::string address, AuditEvent audit, std::string user_agent) {
  std::vector<pg::Statement> statements;
  statements.emplace_back(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, address, user_agent)"
      " VALUES ($1::bytea, $2, $3, now() + make_interval(secs => $4), $5::inet, nullif(left($6, 300), ''))",
      auth::token_digest(token), user_id, csrf_token, static_cast<double>(sessions_.lifetime.count()),
      address.empty() ? std::nullopt : std::optional<std::string>(address), user_agent);
  // The attempt reserved for this log-in was no failure: the account from this address starts afresh, the
  // address and the account's ceiling get it back, and the address becomes one of the account's own.
  statements.emplace_back("DELETE FROM login_failures WHERE key = 'pair:' || $1 || '|' || $2", audit.actor_login,
                          address);
  statements.emplace_back(
      "UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key IN ('address:' || $2, 'account:' || "
      "$1)",
      audit.actor_login, address);
  statements.emplace_back(
      "INSERT INTO login_known_addresses (login, address) VALUES ($1, $2)"
      " ON CONFLICT (login, address) DO UPDATE SET last_at = now()",
      audit.actor_login, address);
  statements.emplace_back("DELETE FROM sessions WHERE expires_at < now() - interval '1 day'");
  statements.push_back(audit_insert(audit));
  co_await pool_.run(std::move(statements));
}

namespace {

// The public handle of a session: the first eight bytes of its token's digest, in hex.
constexpr const char* session_handle = "encode(substr(token_hash, 1, 8), 'hex')";

}  // namespace

boost::asio::awaitable<std::vector<SessionInfo>> AuthStore::sessions(std::int64_t user_id, std::string current_token) {
  auto result = co_await pool_.run_one(pg::Statement(
      std::string("SELECT ") + session_handle +
          ", iso_local(created_at), iso_local(last_seen_at), iso_local(expires_at), host(address), user_agent,"
          " token_hash = $2::bytea FROM sessions WHERE user_id = $1 AND expires_at > now()"
          " ORDER BY last_seen_at DESC LIMIT 100",
      user_id, auth::token_digest(current_token)));
  std::vector<SessionInfo> out;
  for (int row = 0; row < result.rows(); ++row) {
    SessionInfo s;
    s.id = result.text(row, 0);
    s.created_at = result.text(row, 1);
    s.last_seen_at = result.text(row, 2);
    s.expires_at = result.text(row, 3);
    s.address = result.optional_text(row, 4);
    s.user_agent = result.optional_text(row, 5);
    s.current = result.boolean(row, 6);
    out.push_back(std::move(s));
  }
  co_return out;
}

boost::asio::awaitable<void> AuthStore::end_sessions(std::int64_t user_id, std::optional<std::string> id,
                                                     std::string current_token, AuditEvent audit) {
  std::vector<pg::Statement> statements;
  if (id) {
    pg::Statement one(std::string("DELETE FROM sessions WHERE user_id = $1 AND ") + session_handle +
                          " = $2 AND expires_at > now() RETURNING 1",
                      user_id, *id);
    statements.push_back(require_change(std::move(one), "no session of yours has this id"));
  } else {
    statements.emplace_back("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2::bytea", user_id,
                            auth::token_digest(current_token));
  }
  statements.push_back(audit_insert(audit));
  co_await pool_.run(std::move(statements));
}

boost::asio::awaitable<void> AuthStore::close_session(std::string token, AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.emplace_back("DELETE FROM sessions WHERE token_hash = $1::bytea", auth::token_digest(token));
  statements.push_back(audit_insert(audit));
  co_await pool_.run(std::move(statements));
}

boost::asio::awaitable<bool> AuthStore::reserve_login(std::string login, std::string address) {
  const double window = static_cast<double>(throttle_.window.count());
  auto result = co_await pool_.run_one(pg::Statement(
      "SELECT reserve_attempt(ARRAY['pair:' || $1 || '|' || $2, 'address:' || $2]"
      "   || CASE WHEN known.login IS NULL THEN ARRAY['account:' || $1] ELSE '{}' END,"
      " ARRAY[$3, $4, $5]::int[], ARRAY[$6, $6, $7]::float8[])"
      " FROM (SELECT 1) one LEFT JOIN login_known_addresses known ON known.login = $1 AND known.address = $2",
      login, address, throttle_.pair_attempts, throttle_.address_attempts, throttle_.account_attempts, window,
      static_cast<double>(throttle_.account_window.count())));
  co_return result.boolean(0, 0);
}

boost::asio::awaitable<void> AuthStore::record_failure(AuditEvent audit) {
  co_await pool_.run_one(audit_insert(audit));
}

boost::asio::awaitable<bool> AuthStore::reserve_password_check(std::int64_t user_id) {
  auto result = co_await pool_.run_one(
      pg::Statement("SELECT reserve_attempt(ARRAY['password:' || $1::text], ARRAY[$2]::int[], ARRAY[$3]::float8[])",
                    user_id, throttle_.password_attempts, static_cast<double>(throttle_.window.count())));
  co_return result.boolean(0, 0);
}

boost::asio::awaitable<ApiToken> AuthStore::create_token(std::int64_t user_id, std::string name,
                                                         std::vector<Scope> scopes, std::string token,
                                                         AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(
      {"INSERT INTO api_tokens (token_hash, name, user_id, scopes, created_by)"
       " SELECT $1::bytea, $2, u.id, $4::text[], $5 FROM users u WHERE u.id = $3 AND u.active RETURNING id",
       auth::token_digest(token), name, user_id, scopes_literal(scopes), audit.actor_id},
      "no active user has this id"));
  statements.push_back(audit_insert(audit));
  statements.emplace_back(std::string(token_select) + " WHERE t.token_hash = $1::bytea", auth::token_digest(token));
  std::vector<pg::Result> results;
  try {
    results = co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) throw Error(Errc::invalid_field, e.message(), "user_id");
    rethrow_constraint(e, "name");
  }
  co_return token_from(results[2], 0);
}

boost::asio::awaitable<std::vector<ApiToken>> AuthStore::list_tokens(const Actor& actor) {
  auto result = co_await pool_.run_one(pg::Statement(
      std::string(token_select) + " WHERE $1 OR t.user_id = $2 ORDER BY t.id", actor.has(Role::admin), actor.user_id));
  std::vector<ApiToken> tokens;
  for (int row = 0; row < result.rows(); ++row) tokens.push_back(token_from(result, row));
  co_return tokens;
}

boost::asio::awaitable<void> AuthStore::revoke_token(const Actor& actor, std::int64_t id, AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(
      {"UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND ($2 OR user_id = $3)"
       " RETURNING 1",
       id, actor.has(Role::admin), actor.user_id},
      "no such token"));
  statements.push_back(audit_insert(audit));
  co_await pool_.run(std::move(statements));
}

}  // namespace petitiond::store
