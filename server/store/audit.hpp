#pragma once
// The append-only audit log: security events (log-ins, denials, unmaskings) and configuration changes.
// A change and its audit row go in the same transaction: callers add `audit_insert` to their pipeline.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"

namespace petitiond::store {

struct AuditEvent {
  std::string action;  // e.g. "login.failed", "unit.moved", "user.unmasked"
  std::optional<std::int64_t> actor_id;
  std::string actor_login;
  std::string target_type;  // e.g. "unit", "user", "token"
  std::string target_id;
  std::string address;  // client IP address
  std::string request_id;
  boost::json::object details;  // never personal data
};

pg::Statement audit_insert(const AuditEvent& event);

// Wraps a data-modifying statement ("UPDATE … RETURNING 1") so that it fails with not_found, rolling
// back the whole transaction with its audit row, when it changed no row.
pg::Statement require_change(pg::Statement modifying, std::string_view what);

struct AuditRecord {
  std::int64_t id;
  std::string at;  // ISO 8601 with zone
  AuditEvent event;
};

struct AuditQuery {
  std::optional<std::string> action;  // exact, or a prefix ending in '.' ("login.")
  std::optional<std::string> actor_login;
  std::optional<std::string> target_type;
  std::optional<std::string> target_id;
  std::optional<std::string> since;       // ISO 8601, inclusive
  std::optional<std::string> until;       // ISO 8601, exclusive
  std::optional<std::int64_t> before_id;  // keyset pagination: records older than this id
  int limit = 100;
};

class AuditLog {
 public:
  explicit AuditLog(pg::Pool& pool) : pool_(pool) {}

  // An event that goes with no change (a log-in, a denial, a look-up).
  boost::asio::awaitable<void> record(AuditEvent event);
  // Newest first.
  boost::asio::awaitable<std::vector<AuditRecord>> query(AuditQuery query);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
