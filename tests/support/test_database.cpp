#include "tests/support/test_database.hpp"

#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"

namespace petitiond::test {
namespace fs = std::filesystem;

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
