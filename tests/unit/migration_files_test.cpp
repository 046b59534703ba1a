#include <catch2/catch.hpp>

#include "schemas/embedded.hpp"
#include "server/pg/migrations.hpp"
#include "core/error.hpp"

using namespace petitiond;
using schemas::EmbeddedFile;

TEST_CASE("migration files are ordered by version and checksummed") {
  std::vector<EmbeddedFile> files{{"migrations/0002_b.sql", "SELECT 2"}, {"migrations/0001_a.sql", "SELECT 1"}};
  auto migrations = pg::load_migrations(files);
  REQUIRE(migrations.size() == 2);
  CHECK(migrations[0].version == 1);
  CHECK(migrations[0].name == "0001_a.sql");
  CHECK(migrations[1].version == 2);
  CHECK(migrations[0].checksum == pg::sha256_hex("SELECT 1"));
  CHECK(migrations[0].checksum != migrations[1].checksum);
}

TEST_CASE("SHA-256 matches the standard test vector") {
  CHECK(pg::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("badly named or duplicate migrations are refused, naming the file") {
  std::vector<EmbeddedFile> bad_name{{"migrations/1_a.sql", "x"}};
  CHECK_THROWS_WITH(pg::load_migrations(bad_name), Catch::Matchers::Contains("1_a.sql"));
  std::vector<EmbeddedFile> duplicate{{"migrations/0001_a.sql", "x"}, {"migrations/0001_b.sql", "y"}};
  CHECK_THROWS_WITH(pg::load_migrations(duplicate), Catch::Matchers::Contains("0001_b.sql"));
}

TEST_CASE("the shipped migrations load and start at version 1") {
  auto migrations = pg::load_migrations(schemas::migrations());
  REQUIRE_FALSE(migrations.empty());
  CHECK(migrations.front().version == 1);
  for (size_t i = 0; i < migrations.size(); ++i) CHECK(migrations[i].version == static_cast<int>(i + 1));
}

TEST_CASE("function files are named by what they define, sorted and checksummed") {
  std::vector<EmbeddedFile> files{{"functions/b_two.sql", "SELECT 2"}, {"functions/a_one.sql", "SELECT 1"}};
  auto functions = pg::load_function_files(files);
  REQUIRE(functions.size() == 2);
  CHECK(functions[0].name == "a_one");
  CHECK(functions[0].checksum == pg::sha256_hex("SELECT 1"));
  std::vector<EmbeddedFile> bad{{"functions/Fire-Escalations.sql", "x"}};
  CHECK_THROWS_WITH(pg::load_function_files(bad), Catch::Matchers::Contains("Fire-Escalations.sql"));
}

TEST_CASE("each shipped function file defines the function it is named after, and no migration defines one") {
  for (const auto& file : pg::load_function_files(schemas::functions())) {
    INFO(file.name);
    CHECK(std::string(file.sql).find("CREATE OR REPLACE FUNCTION " + file.name + "(") != std::string::npos);
  }
  for (const auto& migration : pg::load_migrations(schemas::migrations())) {
    INFO(migration.name);
    CHECK(std::string(migration.sql).find("CREATE FUNCTION") == std::string::npos);
    CHECK(std::string(migration.sql).find("CREATE OR REPLACE FUNCTION") == std::string::npos);
    CHECK(std::string(migration.sql).find("CREATE TRIGGER") == std::string::npos);
  }
}
