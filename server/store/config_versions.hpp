#pragma once
// Versions of the configuration an admin installs while the server runs: workflow definitions, routing
// tables and message templates, each kept as its YAML (schemas/migrations/0003_config_versions.sql). A
// version is never changed once stored; activating one is a row of its own, audited, and NOTIFYs
// config_channel so that every process switches at once.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

inline constexpr const char* config_channel = "petitiond_config";

struct ConfigVersion {
  std::string kind;  // workflow | routing | templates
  std::string name;  // the workflow's name; "default" for the others
  int version = 0;
  std::string source;                     // the YAML
  std::string origin = "upload";          // upload | file | import
  std::string created_at;                 // ISO 8601, set by the database
  std::optional<std::string> created_by;  // the admin's login
};

struct ConfigActivation {
  std::string kind, name;
  int version = 0;
  std::optional<boost::json::value> migration;
  std::string activated_at;
  std::optional<std::string> activated_by;
};

class ConfigVersionStore {
 public:
  explicit ConfigVersionStore(pg::Pool& pool) : pool_(pool) {}

  // Every stored version of `kind`, oldest first; the blocking form is for start-up.
  boost::asio::awaitable<std::vector<ConfigVersion>> versions(std::string kind);
  static std::vector<ConfigVersion> versions_blocking(const std::string& database_url, const std::string& kind);
  // Each name's latest activation.
  boost::asio::awaitable<std::map<std::string, ConfigActivation>> active(std::string kind);
  static std::map<std::string, ConfigActivation> active_blocking(const std::string& database_url,
                                                                 const std::string& kind);
  // The version of (kind, name) in force: the latest activation's, unless that is 0 (back to the files).
  boost::asio::awaitable<std::optional<ConfigVersion>> in_force(std::string kind, std::string name);
  static std::optional<ConfigVersion> in_force_blocking(const std::string& database_url, const std::string& kind,
                                                        const std::string& name);
  // Every activation of `kind`, newest first.
  boost::asio::awaitable<std::vector<ConfigActivation>> activations(std::string kind);
  // The next free version number for (kind, name): one past the highest stored.
  boost::asio::awaitable<int> next_version(std::string kind, std::string name);

  // Stores a version with its audit row (a version stored already fails with conflict) and tells every process;
  // `activate`: it is also put in force, in the same transaction.
  boost::asio::awaitable<void> add(ConfigVersion version, std::optional<std::int64_t> by, AuditEvent audit,
                                   bool activate = false);
  // The same at start-up, for a file an admin placed (origin "file"): audited as by `actor_login`.
  static void add_blocking(const std::string& database_url, const ConfigVersion& version, const std::string& action,
                           const std::string& actor_login, const boost::json::object& details);
  // Puts a version in force with its audit row and `also` (a workflow migration's updates), in one
  // transaction, and tells every process. Returns the results of `also`, in order.
  boost::asio::awaitable<std::vector<pg::Result>> activate(ConfigActivation activation, std::optional<std::int64_t> by,
                                                           AuditEvent audit, std::vector<pg::Statement> also = {});

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
