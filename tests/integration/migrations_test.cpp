#include <catch2/catch.hpp>
#include <future>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/migrations.hpp"
#include "tests/support/test_database.hpp"
#include "workflow/error.hpp"

using namespace petitiond;
using schemas::EmbeddedFile;
using Catch::Matchers::Contains;

namespace {

std::vector<pg::Migration> migrations_of(const std::vector<EmbeddedFile>& files) { return pg::load_migrations(files); }

std::string migrate_error(const std::string& url, const std::vector<pg::Migration>& migrations) {
  try {
    pg::migrate(url, migrations);
  } catch (const Error& e) {
    return e.message();
  }
  return "";
}

}  // namespace

TEST_CASE("migrations apply in order, once, with their bookkeeping rows") {
  test::TestDatabase db;
  std::vector<EmbeddedFile> files{
      {"migrations/0002_add_column.sql", "ALTER TABLE things ADD COLUMN label text;"},
      {"migrations/0001_things.sql", "CREATE TABLE things (id int PRIMARY KEY); INSERT INTO things VALUES (1);"},
  };
  auto migrations = migrations_of(files);
  auto first = pg::migrate(db.url(), migrations);
  CHECK(first.applied == std::vector<std::string>{"0001_things.sql", "0002_add_column.sql"});
  CHECK(first.version == 2);

  auto second = pg::migrate(db.url(), migrations);
  CHECK(second.applied.empty());
  CHECK(second.version == 2);

  pg::BlockingConnection conn(db.url());
  auto rows = conn.exec("SELECT version, name, checksum, applied_at IS NOT NULL FROM schema_migrations ORDER BY version");
  REQUIRE(rows.rows() == 2);
  CHECK(rows.text(0, 1) == "0001_things.sql");
  CHECK(rows.text(0, 2) == migrations[0].checksum);
  CHECK(rows.boolean(1, 3));
  CHECK(conn.exec("SELECT count(*) FROM things").integer(0, 0) == 1);
}

TEST_CASE("a migration changed after it was applied stops everything and names the file") {
  test::TestDatabase db;
  pg::migrate(db.url(), migrations_of({{"migrations/0001_a.sql", "CREATE TABLE a (id int);"}}));
  auto changed = migrations_of({{"migrations/0001_a.sql", "CREATE TABLE a (id bigint);"},
                                {"migrations/0002_b.sql", "CREATE TABLE b (id int);"}});
  auto message = migrate_error(db.url(), changed);
  CHECK_THAT(message, Contains("0001_a.sql") && Contains("changed"));
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT to_regclass('b') IS NULL").boolean(0, 0));  // nothing after it ran
}

TEST_CASE("a failing migration leaves no trace of itself") {
  test::TestDatabase db;
  auto migrations = migrations_of({
      {"migrations/0001_ok.sql", "CREATE TABLE ok (id int);"},
      {"migrations/0002_broken.sql", "CREATE TABLE half (id int); SELECT * FROM no_such_table;"},
      {"migrations/0003_later.sql", "CREATE TABLE later (id int);"},
  });
  auto message = migrate_error(db.url(), migrations);
  CHECK_THAT(message, Contains("0002_broken.sql") && Contains("no_such_table"));
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT max(version) FROM schema_migrations").integer(0, 0) == 1);
  CHECK(conn.exec("SELECT to_regclass('half') IS NULL AND to_regclass('later') IS NULL").boolean(0, 0));
}

TEST_CASE("a database migrated by a newer build is refused") {
  test::TestDatabase db;
  pg::migrate(db.url(), migrations_of({{"migrations/0001_a.sql", "SELECT 1;"}, {"migrations/0002_b.sql", "SELECT 2;"}}));
  auto message = migrate_error(db.url(), migrations_of({{"migrations/0001_a.sql", "SELECT 1;"}}));
  CHECK_THAT(message, Contains("0002_b.sql"));
}

TEST_CASE("concurrent start-ups apply each migration exactly once") {
  test::TestDatabase db;
  auto migrations = migrations_of({
      {"migrations/0001_t.sql", "CREATE TABLE t (id int); SELECT pg_sleep(0.2);"},
      {"migrations/0002_u.sql", "CREATE TABLE u (id int);"},
  });
  std::vector<std::future<pg::MigrationReport>> runs;
  for (int i = 0; i < 4; ++i)
    runs.push_back(std::async(std::launch::async, [&] { return pg::migrate(db.url(), migrations); }));
  size_t applied = 0;
  for (auto& run : runs) {
    auto report = run.get();  // CREATE TABLE twice would throw here
    applied += report.applied.size();
    CHECK(report.version == 2);
  }
  CHECK(applied == 2);
}

TEST_CASE("the shipped migrations apply to an empty database") {
  test::TestDatabase db;
  auto report = pg::migrate(db.url(), pg::load_migrations(schemas::migrations()));
  CHECK(report.version == static_cast<int>(schemas::migrations().size()));
}
