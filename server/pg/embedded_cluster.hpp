#pragma once
// A private PostgreSQL cluster under petitiond's data directory: created on first run (or reused),
// listening only on a Unix socket inside that directory, stopped on shutdown.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "server/pg/process.hpp"

namespace petitiond::pg {

struct ClusterOptions {
  std::filesystem::path data_dir;  // the cluster lives in data_dir/postgres
  std::filesystem::path bin_dir;   // PostgreSQL programs; empty: the newest /usr/lib/postgresql/*/bin
  std::string database = "petitiond";
  bool durable = true;  // false (tests only): no fsync, for speed
  // Not empty: every finished WAL segment is copied here (durably, by a script under data_dir/postgres),
  // for point-in-time recovery from a base backup.
  std::filesystem::path wal_archive = {};
};

// What a restored cluster recovers to: with a WAL archive, its end or `until`; without, the backup's end.
struct RecoveryTarget {
  std::filesystem::path wal_archive = {};
  std::optional<std::string> until;  // PostgreSQL timestamptz text
};

class EmbeddedCluster {
 public:
  explicit EmbeddedCluster(ClusterOptions options);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // Initialises if needed, recovers from a stale postmaster.pid, starts (or adopts a server already
  // running on this directory) and creates the database. Throws Error with PostgreSQL's own words.
  // Ownership is a lock on DATA_DIR/postgres/owner.lock, held while this object owns the server: a
  // server whose owner is another live process (a petitiond serving while `petitiond user …` runs) is
  // used as a guest, and stop() leaves it running. A dead owner's lock is gone with it, whatever its pid.
  void start();
  // Fast shutdown of a server this object owns; waits for it to exit. Idempotent.
  void stop();

  // Leaves the server running, unowned, when this object goes away (test fixtures hand it to later processes).
  void release();

  bool running() const { return started_; }
  // True when this object owns the server (and so may restart it).
  bool owner() const { return lock_fd_ >= 0; }
  // True when the server answers on its socket (a blocking ping, at most a few seconds).
  bool answering() const;
  // Starts the owned server again after it died: clears what the dead one left (postmaster.pid, socket
  // files) and starts it. Throws Error with the server's log tail when it does not come up.
  void restart();
  // An online base backup into `target` (pg_basebackup: plain files, WAL streamed, SHA-256 manifest), taken
  // through the running server's socket; `target` is made for it and must not exist. Throws with the tool's log.
  void base_backup(const std::filesystem::path& target, const std::string& label);
  // Checks a base backup against its manifest (pg_verifybackup). Throws with the tool's words.
  void verify_backup(const std::filesystem::path& backup);
  // Before the first start of a cluster copied from a base backup: recover from the WAL archive (to its
  // end, or to `until`), then become a primary. wait_for_recovery() after start() waits for that.
  void prepare_recovery(const RecoveryTarget& target);
  // Waits until a recovering server is a primary, then forgets the recovery settings. Throws with the
  // server's log when recovery fails (a target before the backup's end, a gap in the archive).
  void wait_for_recovery(std::chrono::seconds timeout);

  const std::filesystem::path& pgdata() const { return pgdata_; }
  const std::optional<Account>& account() const { return account_; }

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
  void give_up_ownership();
  void launch();                        // pg_ctl start on the data directory
  static std::string memory_options();  // server settings sized to this machine
  std::string log_tail() const;
  std::filesystem::path write_script(const std::string& name, const std::string& body);

  ClusterOptions options_;
  std::filesystem::path root_, pgdata_, socket_dir_, log_file_, lock_file_;
  int lock_fd_ = -1;
  std::optional<Account> account_;
  bool started_ = false;  // owned: stop() stops the server
};

// The libpq URL of `database` on the embedded cluster under `data_dir` (whether or not it runs).
std::string embedded_url(const std::filesystem::path& data_dir, const std::string& database);

// The directory holding pg_ctl and initdb: `preferred` if given, else the newest Debian installation.
std::filesystem::path find_postgres_bin_dir(const std::filesystem::path& preferred);

}  // namespace petitiond::pg
