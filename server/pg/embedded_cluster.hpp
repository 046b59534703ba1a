#pragma once
// A private PostgreSQL cluster under petitiond's data directory: created on first run (or reused),
// listening only on a Unix socket inside that directory, stopped on shutdown.
#include <filesystem>
#include <optional>
#include <string>

#include "server/pg/process.hpp"

namespace petitiond::pg {

struct ClusterOptions {
  std::filesystem::path data_dir;  // the cluster lives in data_dir/postgres
  std::filesystem::path bin_dir;   // PostgreSQL programs; empty: the newest /usr/lib/postgresql/*/bin
  std::string database = "petitiond";
  bool durable = true;             // false (tests only): no fsync, for speed
};

class EmbeddedCluster {
 public:
  explicit EmbeddedCluster(ClusterOptions options);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // Initialises if needed, recovers from a stale postmaster.pid, starts (or adopts a server already
  // running on this directory) and creates the database. Throws Error with PostgreSQL's own words.
  // A server that another live process started (a petitiond serving while `petitiond user …` runs)
  // is used as a guest: stop() leaves it running.
  void start();
  // Fast shutdown of a server this object owns; waits for it to exit. Idempotent.
  void stop();

  // Leaves the server running when this object goes away (test fixtures hand it to later processes).
  void release() { started_ = false; }

  bool running() const { return started_; }
  // libpq URL for the database over the private socket.
  std::string url() const;
  std::string url_for(const std::string& database) const;
  const std::filesystem::path& socket_dir() const { return socket_dir_; }

 private:
  int pg_ctl(const std::vector<std::string>& args);
  void initialise();
  void remove_stale_pid_file();
  void create_database();
  bool claim_ownership();  // false when a live process other than this one owns the server
  static std::string memory_options();  // server settings sized to this machine
  std::string log_tail() const;

  ClusterOptions options_;
  std::filesystem::path root_, pgdata_, socket_dir_, log_file_, owner_file_;
  std::optional<Account> account_;
  bool started_ = false;  // owned: stop() stops the server
};

// The libpq URL of `database` on the embedded cluster under `data_dir` (whether or not it runs).
std::string embedded_url(const std::filesystem::path& data_dir, const std::string& database);

// The directory holding pg_ctl and initdb: `preferred` if given, else the newest Debian installation.
std::filesystem::path find_postgres_bin_dir(const std::filesystem::path& preferred);

}  // namespace petitiond::pg
