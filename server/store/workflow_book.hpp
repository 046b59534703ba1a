#pragma once
// The workflow versions in force in this process: those shipped in the binary, and those an admin
// installed (config_versions, kind 'workflow'), with the one each new petition starts under. An admin's
// activation NOTIFYs config_channel and every process calls reload(); a running petition keeps its version
// unless the activation carries a migration mapping.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/config_versions.hpp"
#include "workflow/registry.hpp"

namespace petitiond::store {

// Versions an admin installs are numbered from here; those below are kept for the definitions shipped with
// petitiond, so that a later release never ships a version number an installation already uses.
inline constexpr int first_installed_version = 100;

// Checks an uploaded definition whole, as `petitiond workflow check` does, and that it is a new version of a
// workflow the server runs. Throws Error(invalid_field) listing every problem with its line.
workflow::Definition checked_workflow(std::string_view yaml, const std::string& file_name,
                                      const workflow::WorkflowSet& held);

struct WorkflowVersionInfo {
  const workflow::Definition* definition = nullptr;
  std::string origin;  // shipped | upload | file | import
  std::optional<std::string> created_at, created_by;
  bool active = false;
};

struct WorkflowMigration {
  int from_version = 0;
  std::map<std::string, std::string> states;  // as the admin gave them; validated on activation
};

struct ActivationOutcome {
  std::optional<int> previous;           // the version active before
  std::optional<std::int64_t> migrated;  // running petitions moved, when a migration was asked for
};

class WorkflowBook {
 public:
  // Adds the installed versions to `set` (which holds the shipped ones) and puts the active versions in force,
  // blocking: before the first request. A stored version that no longer loads stops the start.
  WorkflowBook(pg::Pool& pool, workflow::WorkflowSet& set);

  const workflow::WorkflowSet& set() const { return set_; }
  boost::asio::awaitable<void> reload();
  boost::asio::awaitable<std::vector<WorkflowVersionInfo>> versions();
  boost::asio::awaitable<std::vector<ConfigActivation>> activations();

  // Checks and stores a new version, not yet active. Throws Error(invalid_field) with every problem.
  boost::asio::awaitable<const workflow::Definition*> install(std::string yaml, std::string origin,
                                                              std::optional<std::int64_t> by, AuditEvent audit);
  // Puts a version in force for new petitions (and, with a migration, for the running petitions of its
  // from_version), in one audited transaction; every process follows.
  boost::asio::awaitable<ActivationOutcome> activate(std::string workflow, int version,
                                                     std::optional<WorkflowMigration> migration,
                                                     std::optional<std::int64_t> by, AuditEvent audit);

 private:
  void install_rows(const std::vector<ConfigVersion>& rows, const std::map<std::string, ConfigActivation>& active);

  pg::Pool& pool_;
  ConfigVersionStore store_;
  workflow::WorkflowSet& set_;
  std::set<std::pair<std::string, int>> shipped_;
};

}  // namespace petitiond::store
