#pragma once
// Runtime settings an admin changes without a restart (the telephone system's token, the level names, the
// routing functions' units, the portal's limits…): JSON values by key, each change audited with it and
// NOTIFYing config_channel ("settings"), so that what a process keeps in memory (the trusted proxies) follows.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

struct StoredSetting {
  boost::json::value value;
  std::string updated_at;  // ISO 8601
};

class SettingsStore {
 public:
  explicit SettingsStore(pg::Pool& pool) : pool_(pool) {}

  // The value, or none when the key was never set.
  boost::asio::awaitable<std::optional<boost::json::value>> get(std::string key);
  static std::optional<boost::json::value> get_blocking(const std::string& database_url, const std::string& key);
  boost::asio::awaitable<std::map<std::string, StoredSetting>> all();
  // Sets the value with its audit row, in one transaction.
  boost::asio::awaitable<void> set(std::string key, boost::json::value value, AuditEvent audit);
  // Sets several together (a token and the one it replaces), with one audit row.
  boost::asio::awaitable<void> set(std::vector<std::pair<std::string, boost::json::value>> values, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
