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

struct ThrottlePolicy {
  int account_failures = 5;    // failed log-ins per account within the window
  int address_failures = 20;   // failed log-ins per client address within the window
  std::chrono::seconds window{15 * 60};
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

class AuthStore {
 public:
  AuthStore(pg::Pool& pool, SessionPolicy sessions, ThrottlePolicy throttle)
      : pool_(pool), sessions_(sessions), throttle_(throttle) {}

  const SessionPolicy& session_policy() const { return sessions_; }

  // The actor behind a session cookie, if the session is alive; keeps it alive.
  boost::asio::awaitable<std::optional<Actor>> session_actor(std::string token);
  // The actor behind an API token, if it is valid and its user active.
  boost::asio::awaitable<std::optional<Actor>> token_actor(std::string token);

  // Records a successful log-in: the session, the cleared account throttle, the audit row.
  boost::asio::awaitable<void> open_session(std::int64_t user_id, std::string token, std::string csrf_token,
                                            std::string address, AuditEvent audit);
  boost::asio::awaitable<void> close_session(std::string token, AuditEvent audit);

  // True when the account or the address has failed too often recently.
  boost::asio::awaitable<bool> throttled(std::string login, std::string address);
  boost::asio::awaitable<void> record_failure(std::string login, std::string address, AuditEvent audit);

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
