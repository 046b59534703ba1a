#pragma once
// Numbered SQL migrations: applied in order under an advisory lock, each file together with its
// bookkeeping row in one transaction. An applied file whose checksum changed stops everything.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/embedded.hpp"

namespace petitiond::pg {

struct Migration {
  int version = 0;
  std::string name;     // file name, e.g. "0001_settings.sql"
  std::string_view sql;
  std::string checksum;  // SHA-256, hex
};

// Parses NNNN_name.sql files (sorted, unique versions). Throws Error naming the bad file.
std::vector<Migration> load_migrations(std::span<const schemas::EmbeddedFile> files);

struct MigrationReport {
  std::vector<std::string> applied;  // names applied by this call
  int version = 0;                   // schema version afterwards
};

// Connects (blocking: runs at start-up or from `petitiond migrate`, before any request is served) and
// brings the database up to the newest migration. Throws Error naming the file at fault.
MigrationReport migrate(const std::string& database_url, const std::vector<Migration>& migrations);

std::string sha256_hex(std::string_view data);

}  // namespace petitiond::pg
