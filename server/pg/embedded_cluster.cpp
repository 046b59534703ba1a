#include "server/pg/embedded_cluster.hpp"

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "workflow/error.hpp"

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
  if (best.empty()) fail("no PostgreSQL server programs found under /usr/lib/postgresql: install postgresql-15 or pass --pg-bin");
  return best;
}

EmbeddedCluster::EmbeddedCluster(ClusterOptions options) : options_(std::move(options)) {
  root_ = cluster_root(options_.data_dir);
  pgdata_ = root_ / "data";
  socket_dir_ = root_ / "run";
  log_file_ = root_ / "postgres.log";
  owner_file_ = root_ / "owner.pid";
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

std::string EmbeddedCluster::log_tail() const {
  std::ifstream in(log_file_);
  std::string line, tail;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = lines.size() > 8 ? lines.size() - 8 : 0; i < lines.size(); ++i) tail += "\n  " + lines[i];
  return tail;
}

void EmbeddedCluster::initialise() {
  // initdb into a scratch directory and rename, so a crash midway never leaves a half-made cluster.
  fs::path scratch = root_ / "data.initdb";
  fs::remove_all(scratch);
  std::vector<std::string> argv{(options_.bin_dir / "initdb").string(), "-D", scratch.string(), "-U", superuser,
                                "--auth=trust", "-E", "UTF8", "--no-locale"};
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
  remove_stale_pid_file();

  const bool already_running = PQping(url_for("postgres").c_str()) == PQPING_OK;
  if (already_running && !claim_ownership()) {
    create_database();
    return;  // a guest: the owner stops it
  }
  if (!already_running) {
    std::string server_options = "-c listen_addresses='' -c port=" + std::to_string(port) +
                                 " -c unix_socket_directories='" + socket_dir_.string() + "'" +
                                 " -c unix_socket_permissions=0700";
    if (!options_.durable) server_options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    else server_options += memory_options();
    if (pg_ctl({"start", "-D", pgdata_.string(), "-w", "-t", "120", "-l", log_file_.string(), "-o", server_options}) != 0)
      fail("the embedded PostgreSQL in " + pgdata_.string() + " did not start:" + log_tail());
    std::ofstream(owner_file_) << ::getpid() << "\n";
  }
  started_ = true;
  create_database();
}

// PostgreSQL's defaults (128 MB of shared buffers) suit a laptop, not a million petitions: an eighth of
// the machine's memory (at most 2 GB) for shared buffers, and fewer checkpoints under heavy writing.
std::string EmbeddedCluster::memory_options() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  const long long memory_mb = pages > 0 && page_size > 0 ? static_cast<long long>(pages) * page_size / (1024 * 1024) : 0;
  const long long shared_mb = std::clamp(memory_mb / 8, 128LL, 2048LL);
  return " -c shared_buffers=" + std::to_string(shared_mb) + "MB -c effective_cache_size=" +
         std::to_string(std::max(memory_mb / 2, shared_mb)) + "MB -c max_wal_size=2GB";
}

bool EmbeddedCluster::claim_ownership() {
  std::ifstream in(owner_file_);
  long owner = 0;
  if (in >> owner && owner > 0 && owner != ::getpid() && (::kill(static_cast<pid_t>(owner), 0) == 0 || errno == EPERM))
    return false;
  std::ofstream(owner_file_) << ::getpid() << "\n";  // the owner died: this process adopts the server
  return true;
}

void EmbeddedCluster::create_database() {
  BlockingConnection db(url_for("postgres"));
  if (db.exec("SELECT 1 FROM pg_database WHERE datname = $1", {options_.database}).rows() > 0) return;
  db.exec("CREATE DATABASE " + db.quote_identifier(options_.database));
}

void EmbeddedCluster::stop() {
  if (!started_) return;
  started_ = false;
  std::error_code ignored;
  fs::remove(owner_file_, ignored);
  if (pg_ctl({"stop", "-D", pgdata_.string(), "-m", "fast", "-w", "-t", "60"}) != 0)
    fail("the embedded PostgreSQL did not stop:" + log_tail());
}

}  // namespace petitiond::pg
