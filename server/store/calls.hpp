#pragma once
// Telephone calls as the telephone system reports them (Zammad-compatible generic CTI), callers it is told
// to reject, and the notice every petitiond process relays to the operators' screens.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

// The channel every process LISTENs on for call notices.
inline constexpr const char* call_channel = "petitiond_calls";

struct NewCall {
  std::string call_id;
  std::string direction;  // "in" or "out"
  std::string from_number;
  std::optional<std::string> from_key;  // normalised numbers (workflow::normalise_phone)
  std::string to_number;
  std::optional<std::string> to_key;
  std::optional<std::string> queue;
  std::vector<std::string> users;  // the agents it rings
  bool rejected = false;
};

struct CallRecord {
  std::string call_id;
  std::string direction;
  std::optional<std::string> from;  // the caller's normalised number on an inbound call, else as reported
  std::optional<std::string> to;    // the callee's normalised number on an outbound call, else as reported
  std::string started_at;
  std::optional<std::string> answered_at, ended_at, cause;
  bool rejected = false;
  std::optional<std::int64_t> petition_id;  // none also when the petition accuses the viewer's unit
  std::optional<std::string> answered_by;
  bool missed = false;  // inbound, ended, never answered
};

struct BlockedCaller {
  std::string phone_key;
  std::string reason;
  std::string created_at;
  std::optional<std::string> created_by;
};

class CallStore {
 public:
  explicit CallStore(pg::Pool& pool) : pool_(pool) {}

  boost::asio::awaitable<bool> is_blocked(std::string phone_key);
  // A call reported twice (the telephone system retries) is recorded once.
  boost::asio::awaitable<void> record_new(NewCall call);
  // `answering`: the number, login or id of whoever took it; `users` replaces the agents when not empty.
  boost::asio::awaitable<void> record_answer(std::string call_id, std::optional<std::string> answering,
                                             std::vector<std::string> users);
  boost::asio::awaitable<void> record_hangup(std::string call_id, std::optional<std::string> cause,
                                             std::optional<std::string> answering);
  // Sends `notice` (JSON) to every process's operators through call_channel.
  boost::asio::awaitable<void> tell_operators(std::string notice);
  // The newest calls first, as seen from `viewer_path` (a unit path).
  boost::asio::awaitable<std::vector<CallRecord>> recent(int limit, std::string viewer_path);

  boost::asio::awaitable<std::vector<BlockedCaller>> blocked();
  // Blocks the number, or changes the reason it is blocked for.
  boost::asio::awaitable<void> block(std::string phone_key, std::string reason, std::int64_t by, AuditEvent audit);
  // Throws not_found when the number is not blocked.
  boost::asio::awaitable<void> unblock(std::string phone_key, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
