#include "server/pg/migrations.hpp"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>

#include "server/pg/blocking_connection.hpp"
#include "workflow/error.hpp"

namespace petitiond::pg {
namespace {

// "petitmig" as a number: the advisory lock every petitiond process takes while migrating.
constexpr const char* lock_key = "7308621407330142567";

[[noreturn]] void fail(const std::string& message) { throw Error(Errc::internal, message); }

}  // namespace

std::string sha256_hex(std::string_view data) {
  if (sodium_init() < 0) fail("libsodium failed to initialise");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::vector<Migration> load_migrations(std::span<const schemas::EmbeddedFile> files) {
  static const std::regex pattern(R"((?:.*/)?((\d{4})_[a-z0-9_]+\.sql))");
  std::vector<Migration> migrations;
  for (const auto& file : files) {
    std::smatch match;
    std::string path(file.name);
    if (!std::regex_match(path, match, pattern))
      fail("migration file " + path + " is not named NNNN_lower_case_name.sql");
    migrations.push_back({std::stoi(match[2]), match[1], file.content, sha256_hex(file.content)});
  }
  std::sort(migrations.begin(), migrations.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i)
    if (migrations[i].version == migrations[i - 1].version)
      fail("migrations " + migrations[i - 1].name + " and " + migrations[i].name + " share a version number");
  return migrations;
}

MigrationReport migrate(const std::string& database_url, const std::vector<Migration>& migrations) {
  BlockingConnection db(database_url);
  const std::string unlock = std::string("SELECT pg_advisory_unlock(") + lock_key + ")";
  db.exec(std::string("SELECT pg_advisory_lock(") + lock_key + ")");

  MigrationReport report;
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    auto applied = db.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    std::map<int, const Migration*> known;
    for (const auto& migration : migrations) known[migration.version] = &migration;
    std::map<int, bool> done;
    for (int row = 0; row < applied.rows(); ++row) {
      int version = static_cast<int>(applied.integer(row, 0));
      std::string name(applied.text(row, 1));
      std::string checksum(applied.text(row, 2));
      auto it = known.find(version);
      if (it == known.end())
        fail("the database has migration " + name +
             ", which this build of petitiond does not know (did a newer version run here?)");
      if (it->second->checksum != checksum)
        fail("migration " + it->second->name + " was changed after it was applied (checksum " +
             checksum.substr(0, 12) + "… in the database, " + it->second->checksum.substr(0, 12) +
             "… in the file): add a new migration instead");
      done[version] = true;
      report.version = std::max(report.version, version);
    }
    for (const auto& migration : migrations) {
      if (done.count(migration.version)) continue;
      db.exec("BEGIN");
      try {
        db.exec(std::string(migration.sql));
        db.exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                {std::to_string(migration.version), migration.name, migration.checksum});
        db.exec("COMMIT");
      } catch (const Error& e) {
        PQclear(PQexec(db.raw(), "ROLLBACK"));
        fail("migration " + migration.name + " failed: " + e.message());
      }
      report.applied.push_back(migration.name);
      report.version = migration.version;
    }
  } catch (...) {
    PQclear(PQexec(db.raw(), unlock.c_str()));
    throw;
  }
  db.exec(unlock);
  return report;
}

}  // namespace petitiond::pg
