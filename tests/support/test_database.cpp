#include "tests/support/test_database.hpp"

#include <sodium.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"

namespace petitiond::test {
namespace fs = std::filesystem;

namespace {

std::string random_suffix() {
  if (sodium_init() < 0) std::abort();
  char hex[17];
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

}  // namespace

ScratchDir::ScratchDir(const std::string& prefix) : path_(fs::path("/tmp") / (prefix + "-" + random_suffix())) {
  fs::create_directories(path_);
  // Searchable by others: the postgres account must reach clusters made inside it.
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

fs::path test_cluster_dir() {
  if (const char* dir = std::getenv("PETITIOND_TEST_PG_DIR")) return dir;
  // Run by hand: one private cluster for this process.
  struct Own {
    ScratchDir dir{"petitiond-testdb"};
    pg::EmbeddedCluster cluster{pg::ClusterOptions{dir.path(), {}, "postgres", false}};
    Own() { cluster.start(); }
  };
  static Own own;
  return own.dir.path();
}

TestDatabase::TestDatabase() : name_("test_" + random_suffix()) {
  auto dir = test_cluster_dir();
  pg::BlockingConnection admin(pg::embedded_url(dir, "postgres"));
  admin.exec("CREATE DATABASE " + admin.quote_identifier(name_));
  url_ = pg::embedded_url(dir, name_);
}

TestDatabase::~TestDatabase() {
  try {
    pg::BlockingConnection admin(pg::embedded_url(test_cluster_dir(), "postgres"));
    admin.exec("DROP DATABASE IF EXISTS " + admin.quote_identifier(name_) + " WITH (FORCE)");
  } catch (...) {
  }
}

}  // namespace petitiond::test
