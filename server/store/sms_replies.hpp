#pragma once
// Text messages petitioners send back through the SMS gateway (docs/telephony.md, "SMS replies"): each kept
// once (a gateway's retry is the same reply), with the petitions awaiting a callback whose satisfaction
// message went to that number; settled as the callback recorded, or left for an operator to read.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"
#include "workflow/calendar.hpp"
#include "workflow/roles.hpp"

namespace petitiond::store {

struct InboundSms {
  std::string from;  // as the gateway gives it
  std::string text;
  std::optional<std::string> gateway_id;  // the gateway's message id
};

// A petition a reply may answer: in the state awaiting the callback, its satisfaction message texted to
// the number the reply came from. The callback is recorded in the name of the desk that registered it.
struct AwaitingCallback {
  std::int64_t petition_id = 0;
  int version = 0;
  std::int64_t intake_unit_id = 0;
  std::string intake_unit_path;
};

struct ReceivedSms {
  std::int64_t id = 0;
  bool settled = false;  // a repeat of a reply already settled: nothing more to do
  std::vector<AwaitingCallback> awaiting;
};

// A reply waiting for an operator.
struct SmsReply {
  std::int64_t id = 0;
  std::string from;  // masked
  std::string text;
  std::string received_at;
  std::string outcome;
  std::optional<std::string> satisfaction;
  struct Petition {
    std::int64_t id = 0;
    std::string tracking_code;
    std::string state;
  };
  std::vector<Petition> petitions;  // those it may answer that the viewer may see
};

class SmsReplyStore {
 public:
  explicit SmsReplyStore(pg::Pool& pool) : pool_(pool) {}
  // Keeps the reply (once per gateway id) and finds the petitions it may answer.
  boost::asio::awaitable<ReceivedSms> receive(InboundSms sms, workflow::Instant at);
  boost::asio::awaitable<void> settle(std::int64_t id, std::string outcome, std::optional<std::string> satisfaction,
                                      std::vector<std::int64_t> petition_ids, std::optional<std::int64_t> recorded_on);
  // Replies not recorded as a callback and not yet handled, oldest first: those about no petition, and
  // those about a petition the viewer may see; `only`: just that one, if it is among them.
  boost::asio::awaitable<std::vector<SmsReply>> to_read(Actor viewer, int limit,
                                                        std::optional<std::int64_t> only = std::nullopt);
  boost::asio::awaitable<void> mark_handled(Actor viewer, std::int64_t id, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
