#include <catch2/catch.hpp>
#include <future>
#include <map>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/migrations.hpp"
#include "tests/support/test_database.hpp"
#include "core/error.hpp"

using namespace petitiond;
using Catch::Matchers::Contains;
using schemas::EmbeddedFile;

namespace {

pg::Schema migrations_of(const std::vector<EmbeddedFile>& files) { return {pg::load_migrations(files), {}}; }

pg::Schema schema_of(const std::vector<EmbeddedFile>& migrations, const std::vector<EmbeddedFile>& functions) {
  return {pg::load_migrations(migrations), pg::load_function_files(functions)};
}

std::string migrate_error(const std::string& url, const pg::Schema& schema) {
  try {
    pg::migrate(url, schema);
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
  auto rows =
      conn.exec("SELECT version, name, checksum, applied_at IS NOT NULL FROM schema_migrations ORDER BY version");
  REQUIRE(rows.rows() == 2);
  CHECK(rows.text(0, 1) == "0001_things.sql");
  CHECK(rows.text(0, 2) == migrations.migrations[0].checksum);
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
  pg::migrate(db.url(),
              migrations_of({{"migrations/0001_a.sql", "SELECT 1;"}, {"migrations/0002_b.sql", "SELECT 2;"}}));
  auto message = migrate_error(db.url(), migrations_of({{"migrations/0001_a.sql", "SELECT 1;"}}));
  CHECK_THAT(message, Contains("0002_b.sql"));
}

TEST_CASE("an older build keeps running on a newer build's expand migrations, not on a contract one") {
  test::TestDatabase db;
  const EmbeddedFile a{"migrations/0001_a.sql", "CREATE TABLE a (id int);"};
  const EmbeddedFile expand{"migrations/0002_b.sql",
                            "-- expand: a table the older release ignores\nCREATE TABLE b (id int);"};
  const EmbeddedFile contract{"migrations/0003_drop_a.sql", "DROP TABLE a;"};
  pg::migrate(db.url(), migrations_of({a, expand}));
  auto older = pg::migrate(db.url(), migrations_of({a}));
  CHECK(older.newer == std::vector<std::string>{"0002_b.sql"});
  CHECK(older.applied.empty());
  pg::migrate(db.url(), migrations_of({a, expand, contract}));
  CHECK_THAT(migrate_error(db.url(), migrations_of({a, expand})), Contains("0003_drop_a.sql"));
  CHECK_THAT(migrate_error(db.url(), migrations_of({a})), Contains("0003_drop_a.sql"));
  CHECK(pg::load_migrations(std::vector<EmbeddedFile>{expand}).front().expand);
  CHECK_FALSE(pg::load_migrations(std::vector<EmbeddedFile>{a}).front().expand);
}

TEST_CASE("function files applied by a newer release stay when an older one starts during an upgrade") {
  test::TestDatabase db;
  const std::vector<EmbeddedFile> migrations{{"migrations/0001_a.sql", "SELECT 1;"}};
  // EmbeddedFile holds views: the texts live here.
  std::map<std::string, std::string> texts;
  auto function = [&texts](const char* body) {
    auto& text = texts[body];
    text = std::string("CREATE OR REPLACE FUNCTION answer() RETURNS text LANGUAGE sql AS $$ SELECT '") + body + "' $$;";
    return std::vector<EmbeddedFile>{{"functions/answer.sql", text}};
  };
  auto newer = schema_of(migrations, function("new"));
  newer.release = "0.10.0";
  pg::migrate(db.url(), newer);
  auto older = schema_of(migrations, function("old"));
  older.release = "0.9.2";
  auto report = pg::migrate(db.url(), older);
  CHECK(report.functions_kept);
  CHECK(report.functions_applied.empty());
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT answer()").text(0, 0) == "new");
  auto next = schema_of(migrations, function("next"));
  next.release = "0.10.1";
  CHECK(pg::migrate(db.url(), next).functions_applied == std::vector<std::string>{"answer"});
  CHECK(conn.exec("SELECT answer()").text(0, 0) == "next");
  CHECK(pg::compare_releases("0.10.0", "0.9.2") > 0);
  CHECK(pg::compare_releases("1.0", "1.0.0") == 0);
  CHECK(pg::compare_releases("", "0.1.0") < 0);
}

TEST_CASE("concurrent start-ups apply each migration and function file exactly once") {
  test::TestDatabase db;
  auto schema = schema_of(
      {
          {"migrations/0001_t.sql", "CREATE TABLE t (id int); SELECT pg_sleep(0.2);"},
          {"migrations/0002_u.sql", "CREATE TABLE u (id int);"},
      },
      {{"functions/f.sql",
        "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM u $$;"}});
  std::vector<std::future<pg::MigrationReport>> runs;
  for (int i = 0; i < 4; ++i)
    runs.push_back(std::async(std::launch::async, [&] { return pg::migrate(db.url(), schema); }));
  size_t applied = 0, functions_applied = 0;
  for (auto& run : runs) {
    auto report = run.get();  // CREATE TABLE twice would throw here
    applied += report.applied.size();
    functions_applied += report.functions_applied.size();
    CHECK(report.version == 2);
  }
  CHECK(applied == 2);
  CHECK(functions_applied == 1);
}

TEST_CASE("the shipped schema applies to an empty database, and again changes nothing") {
  test::TestDatabase db;
  auto report = pg::migrate(db.url(), pg::shipped_schema());
  CHECK(report.version == static_cast<int>(schemas::migrations().size()));
  CHECK(report.functions_applied.size() == schemas::functions().size());
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT to_regprocedure('fire_escalations(timestamptz, integer, text)') IS NOT NULL").boolean(0, 0));
  CHECK(conn.exec("SELECT count(*) FROM pg_trigger WHERE tgname = 'units_place'").integer(0, 0) == 1);

  auto again = pg::migrate(db.url(), pg::shipped_schema());
  CHECK(again.applied.empty());
  CHECK(again.functions_applied.empty());
}

namespace {
const std::vector<EmbeddedFile> things{{"migrations/0001_things.sql", "CREATE TABLE things (id int, label text);"}};
}

TEST_CASE("function files apply after the migrations, in any order, and again only when their text changes") {
  test::TestDatabase db;
  // twice calls label_of, which comes after it by name: bodies are checked once both exist.
  std::vector<EmbeddedFile> functions{
      {"functions/twice.sql",
       "CREATE OR REPLACE FUNCTION twice(t text) RETURNS text LANGUAGE sql AS $$ SELECT label_of(t) || label_of(t) "
       "$$;"},
      {"functions/label_of.sql",
       "CREATE OR REPLACE FUNCTION label_of(t text) RETURNS text LANGUAGE sql AS $$ SELECT upper(t) $$;"},
  };
  auto first = pg::migrate(db.url(), schema_of(things, functions));
  CHECK(first.functions_applied == std::vector<std::string>{"label_of", "twice"});
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT twice('a')").text(0, 0) == "AA");

  functions[1].content =
      "CREATE OR REPLACE FUNCTION label_of(t text) RETURNS text LANGUAGE sql AS $$ SELECT lower(t) $$;";
  auto second = pg::migrate(db.url(), schema_of(things, functions));
  CHECK(second.functions_applied == std::vector<std::string>{"label_of"});
  CHECK(conn.exec("SELECT twice('B')").text(0, 0) == "bb");
  CHECK(conn.exec("SELECT count(*) FROM schema_functions").integer(0, 0) == 2);

  CHECK(pg::migrate(db.url(), schema_of(things, functions)).functions_applied.empty());
}

TEST_CASE("a function file with a mistake stops start-up, names the file and changes no function") {
  test::TestDatabase db;
  std::vector<EmbeddedFile> functions{
      {"functions/a_good.sql", "CREATE OR REPLACE FUNCTION a_good() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"},
  };
  pg::migrate(db.url(), schema_of(things, functions));
  functions[0].content = "CREATE OR REPLACE FUNCTION a_good() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;";
  functions.push_back(
      {"functions/b_bad.sql",
       "CREATE OR REPLACE FUNCTION b_bad() RETURNS int LANGUAGE sql AS $$ SELECT no_column FROM things $$;"});
  auto message = migrate_error(db.url(), schema_of(things, functions));
  CHECK_THAT(message, Contains("b_bad.sql") && Contains("no_column"));
  pg::BlockingConnection conn(db.url());
  CHECK(conn.exec("SELECT a_good()").integer(0, 0) == 1);  // the good change waits with the bad one
  CHECK(conn.exec("SELECT to_regprocedure('b_bad()') IS NULL").boolean(0, 0));
  CHECK(conn.exec("SELECT count(*) FROM schema_functions").integer(0, 0) == 1);

  functions.pop_back();  // the fixed build starts and brings the good change in
  CHECK(pg::migrate(db.url(), schema_of(things, functions)).functions_applied == std::vector<std::string>{"a_good"});
  CHECK(conn.exec("SELECT a_good()").integer(0, 0) == 2);
}
