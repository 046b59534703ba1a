#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "server/pg/error.hpp"
#include "server/pg/pool.hpp"
#include "tests/support/async.hpp"
#include "tests/support/test_database.hpp"
#include "core/error.hpp"

using namespace petitiond;
using petitiond::test::run_async;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

pg::PoolOptions pool_options(const std::string& url, size_t size, pg::Millis acquire_timeout = 2000ms) {
  pg::PoolOptions options;
  options.connect = {url, 2000ms, 5000ms, "pool-test"};
  options.max_size = size;
  options.acquire_timeout = acquire_timeout;
  options.query_timeout = 6000ms;
  return options;
}

asio::awaitable<void> sleep_for(pg::Millis duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

TEST_CASE("the pool never opens more connections than its bound, and queued callers all get served") {
  test::TestDatabase db;
  asio::io_context io;
  pg::Pool pool(pool_options(db.url(), 3));
  int done = 0;
  size_t peak_open = 0;
  for (int i = 0; i < 20; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await pool.run_one("SELECT pg_sleep(0.05)");
          peak_open = std::max(peak_open, pool.stats().open);
          ++done;
        },
        asio::detached);
  }
  io.run();
  CHECK(done == 20);
  CHECK(peak_open <= 3);
  auto stats = pool.stats();
  CHECK(stats.in_use == 0);
  CHECK(stats.waiting == 0);
  CHECK(stats.open <= 3);

  pg::BlockingConnection admin(db.url());
  auto sessions = admin.exec(
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pool-test' AND datname = current_database()");
  CHECK(sessions.integer(0, 0) <= 3);
}

TEST_CASE("a caller that cannot get a connection in time is told the database is unavailable") {
  test::TestDatabase db;
  asio::io_context io;
  pg::Pool pool(pool_options(db.url(), 1, 150ms));
  std::optional<Errc> second_error;
  std::chrono::steady_clock::duration waited{};
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { co_await pool.run_one("SELECT pg_sleep(1)"); }, asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await sleep_for(50ms);
        auto started = std::chrono::steady_clock::now();
        try {
          co_await pool.run_one("SELECT 1");
        } catch (const Error& e) {
          second_error = e.errc();
        }
        waited = std::chrono::steady_clock::now() - started;
      },
      asio::detached);
  io.run();
  REQUIRE(second_error.has_value());
  CHECK(*second_error == Errc::unavailable);
  CHECK(waited >= 140ms);
  CHECK(waited < 800ms);
}

TEST_CASE("a connection killed by the server is replaced without failing the next caller") {
  test::TestDatabase db;
  asio::io_context io;
  pg::Pool pool(pool_options(db.url(), 1));
  pg::BlockingConnection admin(db.url());
  std::string first_pid, second_pid;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        first_pid = std::string((co_await pool.run_one("SELECT pg_backend_pid()")).text(0, 0));
        admin.exec("SELECT pg_terminate_backend($1::int)", {first_pid});
        co_await sleep_for(100ms);  // let the termination reach the idle connection's socket
        second_pid = std::string((co_await pool.run_one("SELECT pg_backend_pid()")).text(0, 0));
      },
      asio::detached);
  io.run();
  CHECK(!first_pid.empty());
  CHECK(!second_pid.empty());
  CHECK(first_pid != second_pid);
}

TEST_CASE("the pool reports an outage as unavailable and recovers when the database returns") {
  test::ScratchDir dir;
  pg::EmbeddedCluster cluster({dir.path(), {}, "outage", false});
  cluster.start();
  asio::io_context io;
  pg::Pool pool(pool_options(cluster.url(), 2));
  auto query = [&]() -> std::optional<Errc> {
    std::optional<Errc> failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          try {
            co_await pool.run_one("SELECT 1");
          } catch (const Error& e) {
            failure = e.errc();
          }
        },
        asio::detached);
    io.restart();
    io.run();
    return failure;
  };
  CHECK_FALSE(query().has_value());
  cluster.stop();
  auto started = std::chrono::steady_clock::now();
  auto failure = query();
  REQUIRE(failure.has_value());
  CHECK(*failure == Errc::unavailable);
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(query() == std::optional<Errc>(Errc::unavailable));
  cluster.start();
  CHECK_FALSE(query().has_value());
  CHECK(pool.stats().in_use == 0);
}

TEST_CASE("a pool shared by several threads stays consistent") {
  test::TestDatabase db;
  asio::io_context io;
  pg::Pool pool(pool_options(db.url(), 4));
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    asio::co_spawn(
        asio::make_strand(io),
        [&, i]() -> asio::awaitable<void> {
          pg::Statement statement("SELECT $1::int * 2", i);
          auto result = co_await pool.run_one(std::move(statement));
          if (result.integer(0, 0) == i * 2) ++done;
        },
        asio::detached);
  }
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  CHECK(done == 200);
  CHECK(pool.stats().in_use == 0);
  CHECK(pool.stats().open <= 4);
}

TEST_CASE("a batch's results are read through the handles its statements were added with, in one transaction") {
  test::TestDatabase db;
  pg::Pool pool(pool_options(db.url(), 2));
  for (bool with_first : {true, false}) {
    CAPTURE(with_first);
    pg::Batch batch;
    pg::Batch::Handle first;
    if (with_first) first = batch.add({"SELECT $1::int", 1});
    const auto second = batch.add({"SELECT $1::text", "二"});
    const auto opening = batch.add("SELECT txid_current()");
    const auto closing = batch.add("SELECT txid_current()");
    auto results = run_async(pool.run(std::move(batch)));
    if (with_first) CHECK(results[first].integer(0, 0) == 1);
    CHECK(results[second].text(0, 0) == std::string("二"));
    CHECK(results[opening].integer(0, 0) == results[closing].integer(0, 0));  // one transaction
    if (!with_first) CHECK_THROWS(results[first]);                            // a handle of no statement of this batch
  }
}

TEST_CASE("a violated constraint is named by the error, not searched for in its message") {
  test::TestDatabase db;
  pg::BlockingConnection(db.url()).exec("CREATE TABLE keyed (k text CONSTRAINT keyed_k_unique UNIQUE)");
  pg::Pool pool(pool_options(db.url(), 1));
  run_async(pool.run_one({"INSERT INTO keyed VALUES ($1)", "a"}));
  try {
    run_async(pool.run_one({"INSERT INTO keyed VALUES ($1)", "a"}));
    FAIL("the second insert should have failed");
  } catch (const pg::QueryError& e) {
    CHECK(e.is(pg::sqlstate::unique_violation));
    CHECK(e.constraint() == "keyed_k_unique");
    CHECK(e.errc() == Errc::conflict);
  }
}
