#pragma once
// The database schema: numbered migrations (tables, indexes, data changes and drops), applied in order,
// each file together with its bookkeeping row in one transaction, and an applied file whose checksum
// changed stops everything; then the SQL functions and triggers, one file each holding its current text,
// those whose text changed applied together in one transaction. All of it under one advisory lock.
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
};

// Parses NNNN_name.sql files (sorted, unique versions). Throws Error naming the bad file.
std::vector<Migration> load_migrations(std::span<const schemas::EmbeddedFile> files);

// Parses name.sql files (lower-case names). Throws Error naming the bad file.
std::vector<FunctionFile> load_function_files(std::span<const schemas::EmbeddedFile> files);

// What this build ships: schemas/migrations and schemas/functions.
Schema shipped_schema();

struct MigrationReport {
  std::vector<std::string> applied;            // migrations applied by this call
  std::vector<std::string> functions_applied;  // function files (re)applied by this call
  int version = 0;                             // schema version afterwards
};

// Connects (blocking: runs at start-up or from `petitiond migrate`, before any request is served) and
// brings the database up to the newest migration, then applies the function files whose text is new.
// Throws Error naming the file at fault.
MigrationReport migrate(const std::string& database_url, const Schema& schema);

std::string sha256_hex(std::string_view data);

}  // namespace petitiond::pg
