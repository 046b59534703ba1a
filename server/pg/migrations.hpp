#pragma once
// The database schema: numbered migrations (tables, indexes, data changes and drops), applied in order,
// each file together with its bookkeeping row in one transaction, and an applied file whose checksum
// changed stops everything; then the SQL functions and triggers, one file each holding its current text,
// those whose text changed applied together in one transaction. All of it under one advisory lock.
//
// Upgrades without downtime (docs/operations.md): a migration whose first line is `-- expand` only adds what an
// older petitiond ignores, so an older process keeps running — and may start again — on a database a newer one
// has migrated; any other migration makes older processes refuse to start. Function files are never replaced by
// an older release than the one that applied them.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/embedded.hpp"

namespace petitiond::pg {

struct Migration {
  int version = 0;
  std::string name;  // file name, e.g. "0001_baseline.sql"
  std::string_view sql;
  std::string checksum;  // SHA-256, hex
  bool expand = false;   // its first line is `-- expand`: older releases keep running on it
};

// A file of schemas/functions/: a function (or a trigger function with its triggers), written so that it
// can be run again (CREATE OR REPLACE).
struct FunctionFile {
  std::string name;  // e.g. "fire_escalations"
  std::string_view sql;
  std::string checksum;  // SHA-256, hex
};

struct Schema {
  std::vector<Migration> migrations;
  std::vector<FunctionFile> functions;
  std::string release = {};  // the petitiond release shipping it ("0.2.0"); function files of a newer one stay
};

// Parses NNNN_name.sql files (sorted, unique versions). Throws Error naming the bad file.
std::vector<Migration> load_migrations(std::span<const schemas::EmbeddedFile> files);

// Parses name.sql files (lower-case names). Throws Error naming the bad file.
std::vector<FunctionFile> load_function_files(std::span<const schemas::EmbeddedFile> files);

// What this build ships: schemas/migrations and schemas/functions, as release `release`.
Schema shipped_schema(std::string release = {});

// Compares dotted release numbers ("0.10.0" > "0.9.2"); an empty one is the oldest.
int compare_releases(const std::string& a, const std::string& b);

struct MigrationReport {
  std::vector<std::string> applied;            // migrations applied by this call
  std::vector<std::string> functions_applied;  // function files (re)applied by this call
  int version = 0;                             // schema version afterwards
  std::vector<std::string> newer;              // expand migrations a newer release applied, unknown to this one
  bool functions_kept = false;                 // a newer release's function files were left in place
};

// Connects (blocking: runs at start-up or from `petitiond migrate`, before any request is served) and
// brings the database up to the newest migration, then applies the function files whose text is new.
// Throws Error naming the file at fault.
MigrationReport migrate(const std::string& database_url, const Schema& schema);

std::string sha256_hex(std::string_view data);

}  // namespace petitiond::pg
