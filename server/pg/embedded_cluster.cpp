#include "server/pg/embedded_cluster.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "core/error.hpp"

namespace petitiond::pg {
namespace fs = std::filesystem;
namespace {

constexpr const char* superuser = "petitiond";
constexpr int port = 5432;  // only names the socket file; nothing listens on TCP

[[noreturn]] void fail(const std::string& message) { throw Error(Errc::internal, message); }

void chown_tree(const fs::path& path, const Account& account) {
  if (::chown(path.c_str(), account.uid, account.gid) != 0) fail("cannot hand " + path.string() + " to postgres");
  if (!fs::is_directory(path)) return;
  for (const auto& entry : fs::recursive_directory_iterator(path))
    if (::lchown(entry.path().c_str(), account.uid, account.gid) != 0)
      fail("cannot hand " + entry.path().string() + " to postgres");
}

std::string percent_encode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

fs::path cluster_root(const fs::path& data_dir) { return fs::absolute(data_dir).lexically_normal() / "postgres"; }

// `text` as one word for sh: single-quoted, its own single quotes closed and escaped.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `text` as a string in postgresql.conf: single-quoted, quotes doubled; no line breaks.
std::string conf_quoted(const std::string& text) {
  if (text.find_first_of("\r\n") != std::string::npos) fail("a line break in a server setting: " + text);
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string tail_of(const fs::path& file, std::size_t count = 8) {
  std::ifstream in(file);
  std::string line, tail;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) tail += "\n  " + lines[i];
  return tail;
}

// Settings a restore adds for its recovery, and takes away when the server is a primary again.
constexpr const char* recovery_settings[] = {"restore_command", "recovery_target_time", "recovery_target_action"};

}  // namespace

fs::path find_postgres_bin_dir(const fs::path& preferred) {
  if (!preferred.empty()) {
    if (!fs::exists(preferred / "pg_ctl")) fail("--pg-bin: no pg_ctl in " + preferred.string());
    return preferred;
  }
  fs::path best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "pg_ctl")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty())
    fail("no PostgreSQL server programs found under /usr/lib/postgresql: install postgresql-15 or pass --pg-bin");
  return best;
}

EmbeddedCluster::EmbeddedCluster(ClusterOptions options) : options_(std::move(options)) {
  root_ = cluster_root(options_.data_dir);
  pgdata_ = root_ / "data";
  socket_dir_ = root_ / "run";
  log_file_ = root_ / "postgres.log";
  lock_file_ = root_ / "owner.lock";
  options_.bin_dir = find_postgres_bin_dir(options_.bin_dir);
  account_ = postgres_account_if_root();
  // The socket path must fit in sockaddr_un (107 bytes) with the ".s.PGSQL.5432" file name.
  if ((socket_dir_ / ".s.PGSQL.5432").string().size() > 107)
    fail("--data-dir: the path is too long for PostgreSQL's Unix socket; choose a shorter data directory");
}

EmbeddedCluster::~EmbeddedCluster() {
  try {
    stop();
  } catch (...) {
  }
}

std::string embedded_url(const fs::path& data_dir, const std::string& database) {
  return "postgresql://" + std::string(superuser) + "@/" + percent_encode(database) +
         "?host=" + percent_encode((cluster_root(data_dir) / "run").string()) + "&port=" + std::to_string(port);
}

std::string EmbeddedCluster::url_for(const std::string& database) const {
  return embedded_url(options_.data_dir, database);
}

std::string EmbeddedCluster::url() const { return url_for(options_.database); }

int EmbeddedCluster::pg_ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{(options_.bin_dir / "pg_ctl").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {account_, root_, log_file_});
}

std::string EmbeddedCluster::log_tail() const { return tail_of(log_file_); }

fs::path EmbeddedCluster::write_script(const std::string& name, const std::string& body) {
  fs::create_directories(root_);
  const auto path = root_ / name;
  auto scratch = path;
  scratch += ".tmp";
  {
    std::ofstream out(scratch, std::ios::trunc);
    out << "#!/bin/sh\n# Written by petitiond; rewritten at every start.\n" << body;
    if (!out) fail("cannot write " + scratch.string());
  }
  fs::permissions(scratch, fs::perms::owner_all);
  if (account_ && ::chown(scratch.c_str(), account_->uid, account_->gid) != 0)
    fail("cannot hand " + scratch.string() + " to postgres");
  fs::rename(scratch, path);
  return path;
}

void EmbeddedCluster::initialise() {
  // initdb into a scratch directory and rename, so a crash midway never leaves a half-made cluster.
  fs::path scratch = root_ / "data.initdb";
  fs::remove_all(scratch);
  std::vector<std::string> argv{(options_.bin_dir / "initdb").string(),
                                "-D",
                                scratch.string(),
                                "-U",
                                superuser,
                                "--auth=trust",
                                "-E",
                                "UTF8",
                                "--no-locale"};
  if (!options_.durable) argv.push_back("--no-sync");
  if (run_process(argv, {account_, root_, log_file_}) != 0)
    fail("initdb failed for " + pgdata_.string() + ":" + log_tail());
  fs::rename(scratch, pgdata_);
}

void EmbeddedCluster::remove_stale_pid_file() {
  fs::path pid_file = pgdata_ / "postmaster.pid";
  std::ifstream in(pid_file);
  long pid = 0;
  if (!(in >> pid)) return;
  // A live postmaster for this directory is adopted by start(); a pid that now belongs to some other
  // program (after a crash or a reboot) would make PostgreSQL refuse to start, so the file goes.
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string command((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  std::replace(command.begin(), command.end(), '\0', ' ');
  if (pid > 0 && command.find("postgres") != std::string::npos && command.find(pgdata_.string()) != std::string::npos)
    return;
  fs::remove(pid_file);
  for (const auto& entry : fs::directory_iterator(socket_dir_))
    if (entry.path().filename().string().starts_with(".s.PGSQL.")) fs::remove(entry.path());
}

void EmbeddedCluster::start() {
  if (started_) return;
  fs::create_directories(socket_dir_);
  fs::permissions(root_, fs::perms::owner_all);
  fs::permissions(socket_dir_, fs::perms::owner_all);
  if (account_) {
    chown_tree(root_, *account_);
    if (!account_can_use(*account_, root_))
      fail("the postgres account cannot reach " + root_.string() +
           ": make its parent directories searchable (chmod o+x) or choose another --data-dir");
  }
  if (!fs::exists(pgdata_ / "PG_VERSION")) initialise();

  if (!claim_ownership()) {
    // A guest: the owner (alive, or it would not hold the lock) starts and restarts the server.
    for (int i = 0; i < 600 && !answering(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (!answering())
      fail("the embedded PostgreSQL in " + pgdata_.string() +
           " belongs to another running process and does not answer");
    create_database();
    return;
  }
  if (!answering()) {
    remove_stale_pid_file();
    launch();
  }
  started_ = true;
  create_database();
}

void EmbeddedCluster::launch() {
  std::string server_options = "-c listen_addresses='' -c port=" + std::to_string(port) +
                               " -c unix_socket_directories='" + socket_dir_.string() + "'" +
                               " -c unix_socket_permissions=0700";
  if (!options_.durable) server_options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  else server_options += memory_options();
  if (!options_.wal_archive.empty()) {
    // Each finished segment is copied under a temporary name, synced, renamed and its directory synced, so
    // the archive never holds half a segment; one already there is accepted only if it is the same.
    const auto archive = fs::absolute(options_.wal_archive).lexically_normal();
    fs::create_directories(archive);
    if (account_) {
      if (::chown(archive.c_str(), account_->uid, account_->gid) != 0)
        fail("cannot hand the WAL archive " + archive.string() + " to postgres");
      if (!account_can_use(*account_, archive))
        fail("the postgres account cannot write the WAL archive " + archive.string());
    }
    const auto script = write_script(
        "archive-wal.sh",
        "# archive_command: $1 is the segment's path, $2 its file name.\narchive=" + shell_quoted(archive.string()) +
            "\nif [ -f \"$archive/$2\" ]; then exec cmp -s \"$1\" \"$archive/$2\"; fi\n"
            "cp \"$1\" \"$archive/$2.tmp\" && sync \"$archive/$2.tmp\" && mv \"$archive/$2.tmp\" \"$archive/$2\" &&"
            " sync \"$archive\"\n");
    if (script.string().find_first_of("\"$`\\' ") != std::string::npos)
      fail("--data-dir: WAL archiving needs a data directory path without spaces, quotes, '$' or '\\'");
    // archive_timeout: a quiet hotline still has its last minute's work archived.
    server_options += " -c archive_mode=on -c archive_timeout=60 -c \"archive_command=" + script.string() + " %p %f\"";
  }
  if (pg_ctl({"start", "-D", pgdata_.string(), "-w", "-t", "120", "-l", log_file_.string(), "-o", server_options}) != 0)
    fail("the embedded PostgreSQL in " + pgdata_.string() + " did not start:" + log_tail());
}

void EmbeddedCluster::base_backup(const fs::path& target, const std::string& label) {
  const auto log = root_ / "backup.log";
  std::vector<std::string> argv{(options_.bin_dir / "pg_basebackup").string(),
                                "-h",
                                socket_dir_.string(),
                                "-p",
                                std::to_string(port),
                                "-U",
                                superuser,
                                "-w",
                                "-D",
                                target.string(),
                                "--format=plain",
                                "--wal-method=stream",
                                "--checkpoint=fast",
                                "--manifest-checksums=SHA256",
                                "--label=" + label};
  if (run_process(argv, {account_, root_, log}) != 0) fail("pg_basebackup failed:" + tail_of(log));
}

void EmbeddedCluster::verify_backup(const fs::path& backup) {
  fs::create_directories(root_);
  const auto log = root_ / "backup.log";
  std::vector<std::string> argv{(options_.bin_dir / "pg_verifybackup").string(), "--quiet", backup.string()};
  if (run_process(argv, {std::nullopt, root_, log}) != 0)
    fail("the backup in " + backup.string() + " does not match its manifest:" + tail_of(log));
}

void EmbeddedCluster::prepare_recovery(const RecoveryTarget& target) {
  if (target.wal_archive.empty()) return;  // the backup's own WAL brings it to the backup's end
  const auto archive = fs::absolute(target.wal_archive).lexically_normal();
  if (!fs::is_directory(archive)) fail("--wal-archive: " + archive.string() + " is not a directory");
  const auto script = write_script("restore-wal.sh",
                                   "# restore_command: $1 is the segment's name, $2 where it goes.\n"
                                   "exec cp " +
                                       shell_quoted(archive.string()) + "/\"$1\" \"$2\"\n");
  std::string settings = "\n# Recovery from a petitiond backup; taken away once it is done.\n";
  settings += "restore_command = " + conf_quoted(script.string() + " %f %p") + "\n";
  if (target.until) {
    settings += "recovery_target_time = " + conf_quoted(*target.until) + "\n";
    settings += "recovery_target_action = 'promote'\n";
  }
  std::ofstream conf(pgdata_ / "postgresql.auto.conf", std::ios::app);
  conf << settings;
  std::ofstream signal(pgdata_ / "recovery.signal");
  if (!conf || !signal) fail("cannot prepare the recovery in " + pgdata_.string());
}

void EmbeddedCluster::wait_for_recovery(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    try {
      BlockingConnection db(url_for("postgres"));
      if (db.exec("SELECT pg_is_in_recovery()").text(0, 0) == "f") {
        for (const char* setting : recovery_settings) db.exec(std::string("ALTER SYSTEM RESET ") + setting);
        db.exec("SELECT pg_reload_conf()");
        return;
      }
    } catch (const Error&) {
      if (!answering()) fail("the recovery stopped:" + log_tail());
    }
    if (std::chrono::steady_clock::now() > deadline) fail("the recovery did not finish in time:" + log_tail());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool EmbeddedCluster::answering() const {
  const auto ping = PQping((url_for("postgres") + "&connect_timeout=3").c_str());
  return ping == PQPING_OK || ping == PQPING_REJECT;  // REJECT: starting up or shutting down, but there
}

void EmbeddedCluster::restart() {
  if (!owner()) fail("only the process that owns the embedded PostgreSQL restarts it");
  remove_stale_pid_file();
  launch();
}

// PostgreSQL's defaults (128 MB of shared buffers) suit a laptop, not a million petitions: an eighth of
// the machine's memory (at most 2 GB) for shared buffers, and fewer checkpoints under heavy writing.
std::string EmbeddedCluster::memory_options() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  const long long memory_mb =
      pages > 0 && page_size > 0 ? static_cast<long long>(pages) * page_size / (1024 * 1024) : 0;
  const long long shared_mb = std::clamp(memory_mb / 8, 128LL, 2048LL);
  return " -c shared_buffers=" + std::to_string(shared_mb) +
         "MB -c effective_cache_size=" + std::to_string(std::max(memory_mb / 2, shared_mb)) + "MB -c max_wal_size=2GB";
}

bool EmbeddedCluster::claim_ownership() {
  if (lock_fd_ >= 0) return true;
  int fd = ::open(lock_file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot open " + lock_file_.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  lock_fd_ = fd;
  return true;
}

void EmbeddedCluster::give_up_ownership() {
  if (lock_fd_ < 0) return;
  ::close(lock_fd_);  // releases the lock
  lock_fd_ = -1;
}

void EmbeddedCluster::release() {
  started_ = false;
  give_up_ownership();
}

void EmbeddedCluster::create_database() {
  BlockingConnection db(url_for("postgres"));
  if (db.exec("SELECT 1 FROM pg_database WHERE datname = $1", {options_.database}).rows() > 0) return;
  db.exec("CREATE DATABASE " + db.quote_identifier(options_.database));
}

void EmbeddedCluster::stop() {
  if (!started_) {
    give_up_ownership();
    return;
  }
  started_ = false;
  const int status = pg_ctl({"stop", "-D", pgdata_.string(), "-m", "fast", "-w", "-t", "60"});
  give_up_ownership();
  if (status != 0 && answering()) fail("the embedded PostgreSQL did not stop:" + log_tail());
}

}  // namespace petitiond::pg
