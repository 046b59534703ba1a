#include "server/pg/migrations.hpp"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <regex>

#include "server/pg/blocking_connection.hpp"
#include "core/error.hpp"

namespace petitiond::pg {
namespace {

// "petitmig" as a number: the advisory lock every petitiond process takes while migrating.
constexpr const char* lock_key = "7308621407330142567";

[[noreturn]] void fail(const std::string& message) { throw Error(Errc::internal, message); }

void create_bookkeeping(BlockingConnection& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now());"
      "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS expand boolean NOT NULL DEFAULT false;"
      "CREATE TABLE IF NOT EXISTS schema_functions ("
      " name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
      "ALTER TABLE schema_functions ADD COLUMN IF NOT EXISTS release text NOT NULL DEFAULT ''");
}

// The versions already applied, after checking each against the file this build has.
std::map<int, bool> check_applied_migrations(BlockingConnection& db, const std::vector<Migration>& migrations,
                                             MigrationReport& report) {
  std::map<int, const Migration*> known;
  for (const auto& migration : migrations) known[migration.version] = &migration;
  std::map<int, bool> done;
  auto applied = db.exec("SELECT version, name, checksum, expand FROM schema_migrations ORDER BY version");
  for (int row = 0; row < applied.rows(); ++row) {
    int version = static_cast<int>(applied.integer(row, 0));
    std::string name(applied.text(row, 1));
    std::string checksum(applied.text(row, 2));
    auto it = known.find(version);
    if (it == known.end() && applied.boolean(row, 3)) {
      report.newer.push_back(name);  // a newer release's expansion: this one keeps running on it
      continue;
    }
    if (it == known.end())
      fail("the database has migration " + name +
           ", which this build of petitiond does not know and which older releases cannot run on (upgrade this "
           "petitiond)");
    if (it->second->checksum != checksum)
      fail("migration " + it->second->name + " was changed after it was applied (checksum " + checksum.substr(0, 12) +
           "… in the database, " + it->second->checksum.substr(0, 12) + "… in the file): add a new migration instead");
    done[version] = true;
    report.version = std::max(report.version, version);
  }
  return done;
}

void apply_migrations(BlockingConnection& db, const std::vector<Migration>& migrations, MigrationReport& report) {
  auto done = check_applied_migrations(db, migrations, report);
  for (const auto& migration : migrations) {
    if (done.count(migration.version)) continue;
    db.exec("BEGIN");
    try {
      db.exec(std::string(migration.sql));
      db.exec("INSERT INTO schema_migrations (version, name, checksum, expand) VALUES ($1, $2, $3, $4)",
              {std::to_string(migration.version), migration.name, migration.checksum, migration.expand ? "t" : "f"});
      db.exec("COMMIT");
    } catch (const Error& e) {
      PQclear(PQexec(db.raw(), "ROLLBACK"));
      fail("migration " + migration.name + " failed: " + e.message());
    }
    report.applied.push_back(migration.name);
    report.version = migration.version;
  }
}

std::string text_array(const std::vector<FunctionFile>& files) {
  std::string array = "{";
  for (const auto& file : files) array += (array.size() > 1 ? "," : "") + file.name;  // names are [a-z0-9_]
  return array + "}";
}

// The function files whose text the database does not have yet go in together: first created with bodies
// unchecked (so that their order does not matter), then run again with bodies checked, now that everything
// they call exists, so that a mistake in any of them stops start-up instead of the first call.
void apply_functions(BlockingConnection& db, const std::vector<FunctionFile>& functions, const std::string& release,
                     MigrationReport& report) {
  std::map<std::string, std::string> applied;
  auto rows = db.exec("SELECT name, checksum, release FROM schema_functions");
  for (int row = 0; row < rows.rows(); ++row) {
    applied[std::string(rows.text(row, 0))] = rows.text(row, 1);
    // A newer release applied them: an older one, still running during an upgrade, leaves them as they are.
    if (compare_releases(std::string(rows.text(row, 2)), release) > 0) {
      report.functions_kept = true;
      return;
    }
  }
  std::vector<const FunctionFile*> changed;
  for (const auto& file : functions) {
    auto it = applied.find(file.name);
    if (it == applied.end() || it->second != file.checksum) changed.push_back(&file);
  }
  if (changed.empty() && applied.size() == functions.size()) return;

  const FunctionFile* running = nullptr;
  db.exec("BEGIN");
  try {
    for (const char* check : {"off", "on"}) {
      db.exec(std::string("SET LOCAL check_function_bodies = ") + check);
      for (const auto* file : changed) {
        running = file;
        db.exec(std::string(file->sql));
      }
    }
    running = nullptr;
    for (const auto* file : changed)
      db.exec(
          "INSERT INTO schema_functions (name, checksum) VALUES ($1, $2)"
          " ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()",
          {file->name, file->checksum});
    db.exec("UPDATE schema_functions SET release = $1", {release});  // the whole set is this release's now
    db.exec("DELETE FROM schema_functions WHERE name <> ALL ($1::text[])", {text_array(functions)});
    db.exec("COMMIT");
  } catch (const Error& e) {
    PQclear(PQexec(db.raw(), "ROLLBACK"));
    fail((running ? "function file " + running->name + ".sql" : std::string("recording the function files")) +
         " failed: " + e.message());
  }
  for (const auto* file : changed) report.functions_applied.push_back(file->name);
}

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
    const bool expand = file.content.starts_with("-- expand\n") || file.content.starts_with("-- expand ") ||
                        file.content.starts_with("-- expand:");
    migrations.push_back({std::stoi(match[2]), match[1], file.content, sha256_hex(file.content), expand});
  }
  std::sort(migrations.begin(), migrations.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i)
    if (migrations[i].version == migrations[i - 1].version)
      fail("migrations " + migrations[i - 1].name + " and " + migrations[i].name + " share a version number");
  return migrations;
}

std::vector<FunctionFile> load_function_files(std::span<const schemas::EmbeddedFile> files) {
  static const std::regex pattern(R"((?:.*/)?([a-z][a-z0-9_]*)\.sql)");
  std::vector<FunctionFile> functions;
  for (const auto& file : files) {
    std::smatch match;
    std::string path(file.name);
    if (!std::regex_match(path, match, pattern)) fail("function file " + path + " is not named lower_case_name.sql");
    functions.push_back({match[1], file.content, sha256_hex(file.content)});
  }
  std::sort(functions.begin(), functions.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return functions;
}

Schema shipped_schema(std::string release) {
  return {load_migrations(schemas::migrations()), load_function_files(schemas::functions()), std::move(release)};
}

int compare_releases(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& text) {
    std::vector<long> out;
    std::size_t at = 0;
    while (at < text.size()) {
      auto dot = text.find('.', at);
      if (dot == std::string::npos) dot = text.size();
      out.push_back(std::strtol(text.substr(at, dot - at).c_str(), nullptr, 10));
      at = dot + 1;
    }
    return out;
  };
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
  const auto x = parts(a), y = parts(b);
  for (std::size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
    const long p = i < x.size() ? x[i] : 0, q = i < y.size() ? y[i] : 0;
    if (p != q) return p < q ? -1 : 1;
  }
  return 0;
}

MigrationReport migrate(const std::string& database_url, const Schema& schema) {
  BlockingConnection db(database_url);
  const std::string unlock = std::string("SELECT pg_advisory_unlock(") + lock_key + ")";
  db.exec(std::string("SELECT pg_advisory_lock(") + lock_key + ")");
  MigrationReport report;
  try {
    create_bookkeeping(db);
    apply_migrations(db, schema.migrations, report);
    apply_functions(db, schema.functions, schema.release, report);
  } catch (...) {
    PQclear(PQexec(db.raw(), unlock.c_str()));
    throw;
  }
  db.exec(unlock);
  return report;
}

}  // namespace petitiond::pg
