#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
namespace fs = std::filesystem;

namespace {

pg::ClusterOptions options_in(const fs::path& dir) { return {dir, {}, "petitiond", false}; }

long postmaster_pid(const fs::path& dir) {
  std::ifstream in(dir / "postgres" / "data" / "postmaster.pid");
  long pid = 0;
  in >> pid;
  return pid;
}

bool alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

TEST_CASE("the embedded cluster is created on first start, private, and keeps its data across restarts") {
  test::ScratchDir dir;
  {
    pg::EmbeddedCluster cluster(options_in(dir.path()));
    cluster.start();
    pg::BlockingConnection conn(cluster.url());
    CHECK(conn.exec("SHOW listen_addresses").text(0, 0).empty());  // no TCP at all
    CHECK(conn.exec("SELECT current_database()").text(0, 0) == "petitiond");
    CHECK(conn.exec("SHOW server_encoding").text(0, 0) == "UTF8");
    conn.exec("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('还在')");

    struct stat socket_dir {};
    REQUIRE(::stat(cluster.socket_dir().c_str(), &socket_dir) == 0);
    CHECK((socket_dir.st_mode & 0077) == 0);  // only the owner can reach the socket
    if (::geteuid() == 0) {
      struct stat version {};
      REQUIRE(::stat((dir.path() / "postgres" / "data" / "PG_VERSION").c_str(), &version) == 0);
      CHECK(version.st_uid != 0);  // PostgreSQL ran as the unprivileged postgres account
    }
    cluster.stop();
    CHECK(PQping(cluster.url().c_str()) == PQPING_NO_RESPONSE);
  }
  pg::EmbeddedCluster again(options_in(dir.path()));
  again.start();
  pg::BlockingConnection conn(again.url());
  CHECK(conn.exec("SELECT note FROM kept").text(0, 0) == "还在");
}

TEST_CASE("a cluster left by a crash (killed postmaster, stale postmaster.pid) starts again") {
  test::ScratchDir dir;
  auto durable = options_in(dir.path());
  durable.durable = true;  // committed data must survive the kill
  pg::EmbeddedCluster first(durable);
  first.start();
  pg::BlockingConnection(first.url()).exec("CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (7)");
  long pid = postmaster_pid(dir.path());
  REQUIRE(pid > 0);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  for (int i = 0; i < 200 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  first.release();  // as after a crash: nobody stops it
  REQUIRE(fs::exists(dir.path() / "postgres" / "data" / "postmaster.pid"));

  // Make the stale file point at a live process that is not PostgreSQL, as after a reboot.
  pid_t sleeper = ::fork();
  if (sleeper == 0) {
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  {
    std::ifstream in(dir.path() / "postgres" / "data" / "postmaster.pid");
    std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rest = rest.substr(rest.find('\n'));
    std::ofstream(dir.path() / "postgres" / "data" / "postmaster.pid") << sleeper << rest;
  }

  pg::EmbeddedCluster second(options_in(dir.path()));
  CHECK_NOTHROW(second.start());
  ::kill(sleeper, SIGKILL);
  ::waitpid(sleeper, nullptr, 0);
  pg::BlockingConnection conn(second.url());
  CHECK(conn.exec("SELECT id FROM survivor").integer(0, 0) == 7);
}

TEST_CASE("a server already running on the directory is adopted, not started twice") {
  test::ScratchDir dir;
  pg::EmbeddedCluster first(options_in(dir.path()));
  first.start();
  long pid = postmaster_pid(dir.path());
  first.release();

  pg::EmbeddedCluster second(options_in(dir.path()));
  second.start();
  CHECK(postmaster_pid(dir.path()) == pid);
  second.stop();
  for (int i = 0; i < 200 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(alive(pid));
}

TEST_CASE("a data directory path too long for a Unix socket is refused with a clear message") {
  fs::path deep = "/tmp/" + std::string(120, 'd');
  CHECK_THROWS_WITH(pg::EmbeddedCluster(options_in(deep)), Catch::Matchers::Contains("--data-dir"));
}
