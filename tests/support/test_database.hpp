#pragma once
// A throwaway database on the test PostgreSQL cluster. Under ctest the cluster is started once by
// the `pg_cluster_start` fixture (PETITIOND_TEST_PG_DIR names it); a test binary run by hand starts
// its own in a temporary directory and stops it at exit.
#include <filesystem>
#include <string>

#include "tests/support/scratch_dir.hpp"

namespace petitiond::test {

// The data directory of the shared test cluster, started if needed.
std::filesystem::path test_cluster_dir();

// A fresh, empty database, dropped when this object goes away.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

}  // namespace petitiond::test
