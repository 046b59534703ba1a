#pragma once
// Runtime settings an admin changes without a restart (the telephone system's token, the level names, the
// routing functions' units, the portal's limits…): JSON values by key, each change audited with it.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

class SettingsStore {
 public:
  explicit SettingsStore(pg::Pool& pool) : pool_(pool) {}

  // The value, or none when the key was never set.
  boost::asio::awaitable<std::optional<boost::json::value>> get(std::string key);
  // Sets the value with its audit row, in one transaction.
  boost::asio::awaitable<void> set(std::string key, boost::json::value value, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
