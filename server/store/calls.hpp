#pragma once
// Telephone calls as the telephone system reports them (Zammad-compatible generic CTI), the callback list of
// missed calls, callers it is told to reject, and the notice every petitiond process relays to the
// operators' screens.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::store {

// The channel every process LISTENs on for call notices.
inline constexpr const char* call_channel = "petitiond_calls";

// One event of a call (newCall, answer, hangup) as reported.
struct CallEvent {
  std::string call_id;
  std::string direction;  // "in" or "out"
  std::string from_number;
  std::optional<std::string> from_key;  // normalised numbers (normalise_phone)
  std::string to_number;
  std::optional<std::string> to_key;
  std::optional<std::string> queue;
  std::vector<std::string> users;        // the agents it rings (in) or who dials (out)
  std::optional<std::string> answering;  // answeringNumber: the number, login or id of whoever took it
  std::optional<std::int64_t> agent;     // the user that names, when one does
  std::optional<std::string> cause;      // hangup cause, stored as sent
  bool voicemail = false;                // the answer came from the voicemail
  bool rejected = false;                 // a blocked caller, told to hang up
  workflow::Instant at;                  // when it was reported
};

struct CallRecord {
  std::string call_id;
  std::string direction;
  std::optional<std::string> from;  // the caller's normalised number on an inbound call, else as reported
  std::optional<std::string> to;    // the callee's normalised number on an outbound call, else as reported
  std::optional<std::string> queue;
  std::vector<std::string> users;
  std::string started_at;
  std::optional<std::string> answered_at, ended_at, cause;
  bool rejected = false;
  bool voicemail = false;
  std::optional<std::int64_t> petition_id;  // none also when the petition accuses the viewer's unit
  std::optional<std::string> answered_by;
  bool missed = false;  // inbound, ended unanswered (not forwarded), or only the voicemail answered
  std::optional<std::string> called_back_at;
  std::optional<std::string> called_back_by;
  std::optional<std::string> callback_call_id;
  std::optional<std::int64_t> wait_seconds;  // ringing until answered, or until the caller gave up
  std::optional<std::int64_t> talk_seconds;
};

// An operator a call can be offered to.
struct Agent {
  std::int64_t id = 0;
  std::string login;
  std::string display_name;
  std::optional<std::string> phone;
  bool on_call = false;  // has answered a call that has not ended
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
  // Each returns whether the event changed the log: a repeated event changes nothing. An answer after the
  // hangup is ignored (Zammad's rule); an answer or hangup of a call never reported as new is logged from
  // what it carries. An outbound call returns the missed calls from the number it dials.
  boost::asio::awaitable<bool> record_new(CallEvent call);
  boost::asio::awaitable<bool> record_answer(CallEvent call);
  boost::asio::awaitable<bool> record_hangup(CallEvent call);
  // Sends `notice` (JSON) to every process's operators through call_channel.
  boost::asio::awaitable<void> tell_operators(std::string notice);
  // Active operators, each with whether they are on a call at `at` (a call left without a hangup stops
  // counting after four hours).
  boost::asio::awaitable<std::vector<Agent>> agents(workflow::Instant at);
  // The call, as seen from `viewer_path`; nullopt when there is none.
  boost::asio::awaitable<std::optional<CallRecord>> call(std::string call_id, std::string viewer_path);
  // The newest calls first, as seen from `viewer_path` (a unit path).
  boost::asio::awaitable<std::vector<CallRecord>> recent(int limit, std::string viewer_path);
  // Missed calls not yet returned, oldest first.
  boost::asio::awaitable<std::vector<CallRecord>> to_return(int limit, std::string viewer_path);
  // Records a missed call as returned by hand; not_found unless it is a missed call still waiting.
  boost::asio::awaitable<void> mark_called_back(std::string call_id, std::int64_t by, workflow::Instant at,
                                                AuditEvent audit);

  boost::asio::awaitable<std::vector<BlockedCaller>> blocked();
  // Blocks the number, or changes the reason it is blocked for.
  boost::asio::awaitable<void> block(std::string phone_key, std::string reason, std::int64_t by, AuditEvent audit);
  // Throws not_found when the number is not blocked.
  boost::asio::awaitable<void> unblock(std::string phone_key, AuditEvent audit);

 private:
  boost::asio::awaitable<std::vector<CallRecord>> select(std::string where_order, std::int64_t limit,
                                                         std::optional<std::string> call_id, std::string viewer_path);

  pg::Pool& pool_;
};

}  // namespace petitiond::store
