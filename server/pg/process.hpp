#pragma once
// Runs a helper program (initdb, pg_ctl) to completion, optionally as another account.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace petitiond::pg {

struct Account {
  uid_t uid;
  gid_t gid;
  std::string name;
};

// The unprivileged account PostgreSQL runs as when we are root (PostgreSQL refuses root).
std::optional<Account> postgres_account_if_root();

struct ProcessOptions {
  std::optional<Account> as;          // switch to this account in the child
  std::filesystem::path working_dir;  // must be reachable by that account
  std::filesystem::path output;       // stdout and stderr are appended here; empty: /dev/null
};

// Returns the exit status (or 128 + signal). Throws Error when the program cannot be started.
int run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

// True when `account` may search and write `dir` (checked in a child with the account's identity).
bool account_can_use(const Account& account, const std::filesystem::path& dir);

}  // namespace petitiond::pg
