#pragma once
// Browser sessions, API tokens and log-in throttling. Secrets are never stored: only their SHA-256.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"
#include "workflow/roles.hpp"

namespace petitiond::store {

struct SessionPolicy {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds lifetime{12 * 60 * 60};  // absolute
};

// Guessing is limited per account from one address, per address, and per account from addresses it has
// never logged in from (a slower ceiling); the owner's own addresses are never locked by strangers.
// docs/security.md says why.
struct ThrottlePolicy {
  int pair_attempts = 5;      // failed log-ins to one account from one address within `window`
  int address_attempts = 20;  // failed log-ins from one address within `window`
  std::chrono::seconds window{15 * 60};
  int account_attempts = 30;  // failed log-ins to one account from unknown addresses within `account_window`
  std::chrono::seconds account_window{60 * 60};
  int password_attempts = 5;  // wrong current passwords when changing one's password, within `window`
};

struct ApiToken {
  std::int64_t id;
  std::string name;
  std::int64_t user_id;
  std::string user_login;
  std::vector<Scope> scopes;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};

// A live browser session as its owner sees it: `id` is a short public handle (the start of the token's
// digest), never the token.
struct SessionInfo {
  std::string id, created_at, last_seen_at, expires_at;
  std::optional<std::string> address, user_agent;
  bool current = false;
};

class AuthStore {
 public:
  AuthStore(pg::Pool& pool, SessionPolicy sessions, ThrottlePolicy throttle)
      : pool_(pool), sessions_(sessions), throttle_(throttle) {}

  const SessionPolicy& session_policy() const { return sessions_; }

  // The actor behind a session cookie, if the session is alive; keeps it alive unless `touch` is false
  // (a check that is not the user's own activity, such as an event stream's).
  boost::asio::awaitable<std::optional<Actor>> session_actor(std::string token, bool touch = true);
  // The actor behind an API token, if it is valid and its user active.
  boost::asio::awaitable<std::optional<Actor>> token_actor(std::string token);

  // Records a successful log-in: the session, the cleared account throttle, the audit row.
  boost::asio::awaitable<void> open_session(std::int64_t user_id, std::string token, std::string csrf_token,
                                            std::string address, AuditEvent audit, std::string user_agent = "");
  // The user's live sessions, the most recently used first; `current_token` marks the one asking.
  boost::asio::awaitable<std::vector<SessionInfo>> sessions(std::int64_t user_id, std::string current_token);
  // Ends one of the user's sessions (not_found when it is not theirs or has ended), or all but the current
  // one when `id` is none; audited.
  boost::asio::awaitable<void> end_sessions(std::int64_t user_id, std::optional<std::string> id,
                                            std::string current_token, AuditEvent audit);
  boost::asio::awaitable<void> close_session(std::string token, AuditEvent audit);

  // Reserves a log-in attempt before the password is checked; false (nothing reserved) when the account
  // from this address, the address, or the account from unknown addresses has failed too often recently.
  boost::asio::awaitable<bool> reserve_login(std::string login, std::string address);
  // The reserved attempt failed: audited (it already counts).
  boost::asio::awaitable<void> record_failure(AuditEvent audit);
  // Reserves a guess at one's current password (changing it); false when there were too many.
  boost::asio::awaitable<bool> reserve_password_check(std::int64_t user_id);

  boost::asio::awaitable<ApiToken> create_token(std::int64_t user_id, std::string name, std::vector<Scope> scopes,
                                                std::string token, AuditEvent audit);
  // An admin sees every token; anyone else the tokens of their own account.
  boost::asio::awaitable<std::vector<ApiToken>> list_tokens(const Actor& actor);
  // not_found when absent, outside the actor's view, or already revoked.
  boost::asio::awaitable<void> revoke_token(const Actor& actor, std::int64_t id, AuditEvent audit);

 private:
  pg::Pool& pool_;
  SessionPolicy sessions_;
  ThrottlePolicy throttle_;
};

}  // namespace petitiond::store
