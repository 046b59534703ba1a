#pragma once
// Webhooks: systems told of every message of some topics (JSON POST, signed with the secret).
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

struct Webhook {
  std::int64_t id = 0;
  std::string name;
  std::string url;
  std::vector<std::string> topics;  // empty: every topic
  bool active = true;
  std::string created_at;
};

struct WebhookChange {
  std::optional<std::string> name, url;
  std::optional<std::vector<std::string>> topics;
  std::optional<bool> active;
};

class WebhookStore {
 public:
  explicit WebhookStore(pg::Pool& pool) : pool_(pool) {}

  boost::asio::awaitable<std::vector<Webhook>> list();
  boost::asio::awaitable<Webhook> create(std::string name, std::string url, std::string secret,
                                         std::vector<std::string> topics, AuditEvent audit);
  // Throws not_found for an unknown id.
  boost::asio::awaitable<Webhook> change(std::int64_t id, WebhookChange change, AuditEvent audit);
  boost::asio::awaitable<void> remove(std::int64_t id, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
