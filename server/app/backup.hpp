#pragma once
// `petitiond backup` and `petitiond restore` (docs/operations.md): an online backup of the embedded PostgreSQL
// (pg_basebackup, with its SHA-256 manifest) and of the attachments (checked against their digests), and its
// restoration into a new data directory, optionally replaying the WAL archive to its end or to a time.
#include "server/app/config.hpp"

namespace petitiond::app {

// Both print what they did and return the exit code; failures throw Error naming the problem.
int run_backup(const Config& config);
int run_restore(const Config& config);

}  // namespace petitiond::app
