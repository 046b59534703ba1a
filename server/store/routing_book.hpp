#pragma once
// The routing table in force: the file's (--routing, else the shipped schemas/routing/default.yaml) until an
// admin activates a version of their own (config_versions, kind 'routing'). A reader takes the current table
// and keeps it for what it is doing; an activation NOTIFYs config_channel and every process reloads.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/store/config_versions.hpp"
#include "workflow/routing.hpp"

namespace petitiond::store {

struct RoutingVersionInfo {
  int version = 0;  // 0: the file's table
  std::string origin, created_at;
  std::optional<std::string> created_by;
  bool active = false;
  std::size_t categories = 0, rules = 0;
};

class RoutingBook {
 public:
  // Reads the active version, blocking: before the first request. A stored version that no longer loads
  // stops the start.
  RoutingBook(pg::Pool& pool, workflow::RoutingTable from_file);

  std::shared_ptr<const workflow::RoutingTable> current() const;
  int active_version() const;
  boost::asio::awaitable<void> reload();
  boost::asio::awaitable<std::vector<RoutingVersionInfo>> versions();
  // A version's table: 0 the file's; throws Error(not_found).
  boost::asio::awaitable<std::shared_ptr<const workflow::RoutingTable>> version(int version);

  // The table `yaml` describes, checked whole: its own rules (problems with lines), and that it still places
  // every category of the table in force. The units it names are for the caller to check (units_named).
  // Throws Error(invalid_field) listing every problem.
  workflow::RoutingTable checked(std::string_view yaml) const;
  // Stores a checked table as the next version, not yet active; returns its number.
  boost::asio::awaitable<int> install(std::string yaml, std::string origin, std::optional<std::int64_t> by,
                                      AuditEvent audit);
  boost::asio::awaitable<void> activate(int version, std::optional<std::int64_t> by, AuditEvent audit);

 private:
  void install_active(std::optional<ConfigVersion> row);

  pg::Pool& pool_;
  ConfigVersionStore store_;
  const std::shared_ptr<const workflow::RoutingTable> from_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<const workflow::RoutingTable> current_;
  int active_version_ = 0;
};

// The unit codes a table names directly ({unit: CODE}), with the line of each rule naming one.
std::vector<std::pair<std::string, int>> units_named(const workflow::RoutingTable& table);

}  // namespace petitiond::store
