#pragma once
// Notification deliveries as admins see them: the dead letters (failed too often), and sending one again.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

struct DeadLetter {
  std::int64_t id = 0;
  std::int64_t outbox_id = 0;
  std::string recipient;  // user:12, petitioner:34, webhook:5
  std::string channel;
  std::optional<std::string> address;  // as stored: the view masks phone numbers
  std::string topic;
  boost::json::value payload;
  std::int64_t attempts = 0;
  std::string last_error;
  std::string created_at;
  std::string failed_at;
};

class DeliveryStore {
 public:
  explicit DeliveryStore(pg::Pool& pool) : pool_(pool) {}

  // Newest first; `before`: only those with a smaller id (the next page).
  boost::asio::awaitable<std::vector<DeadLetter>> dead_letters(std::optional<std::int64_t> before, std::int64_t limit);
  // Puts a dead letter back in the queue, audited; throws not_found when `id` is no dead letter.
  boost::asio::awaitable<void> resend(std::int64_t id, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
