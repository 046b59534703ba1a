#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>

#include "server/pg/connection.hpp"
#include "server/pg/error.hpp"
#include "tests/support/async.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using petitiond::test::run_async;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

pg::ConnectOptions options_for(const std::string& url, pg::Millis statement_timeout = 5000ms) {
  return {url, 5000ms, statement_timeout, "connection-test"};
}

asio::awaitable<std::unique_ptr<pg::Connection>> open(const std::string& url, pg::Millis statement_timeout = 5000ms) {
  co_return co_await pg::Connection::open(co_await asio::this_coro::executor, options_for(url, statement_timeout));
}

}  // namespace

TEST_CASE("a pipeline runs several parameterised statements and returns each result") {
  test::TestDatabase db;
  auto results = run_async([&]() -> asio::awaitable<std::vector<pg::Result>> {
    auto conn = co_await open(db.url());
    std::vector<pg::Statement> statements{
        {"SELECT $1::int + 1", 41},
        {"SELECT $1::text || '!'", std::string("信访")},
        {"SELECT $1::text IS NULL", std::nullopt},
        {"SELECT generate_series(1, 3)"},
    };
    co_return co_await conn->run(statements, 5000ms);
  }());
  REQUIRE(results.size() == 4);
  CHECK(results[0].integer(0, 0) == 42);
  CHECK(results[1].text(0, 0) == "信访!");
  CHECK(results[2].boolean(0, 0));
  CHECK(results[3].rows() == 3);
}

TEST_CASE("parameters are never interpolated into SQL") {
  test::TestDatabase db;
  auto result = run_async([&]() -> asio::awaitable<pg::Result> {
    auto conn = co_await open(db.url());
    std::vector<pg::Statement> statements{{"SELECT $1::text", std::string("'); DROP TABLE x; --")}};
    co_return (co_await conn->run(statements, 5000ms)).front();
  }());
  CHECK(result.text(0, 0) == "'); DROP TABLE x; --");
}

TEST_CASE("a failing statement rolls back the whole pipeline and leaves the connection usable") {
  test::TestDatabase db;
  run_async([&]() -> asio::awaitable<void> {
    auto conn = co_await open(db.url());
    std::vector<pg::Statement> setup{{"CREATE TABLE t (id int PRIMARY KEY)"}};
    co_await conn->run(setup, 5000ms);

    std::vector<pg::Statement> transaction{
        {"INSERT INTO t VALUES (1)"}, {"INSERT INTO t VALUES (1)"}, {"INSERT INTO t VALUES (2)"}};
    bool threw = false;
    try {
      co_await conn->run(transaction, 5000ms);
    } catch (const pg::QueryError& e) {
      threw = true;
      CHECK(e.sqlstate() == "23505");
      CHECK(e.errc() == Errc::conflict);
      CHECK(e.message().find("Key (") == std::string::npos);  // DETAIL (row values) is not kept
    }
    CHECK(threw);
    CHECK(conn->usable());
    std::vector<pg::Statement> count{{"SELECT count(*) FROM t"}};
    auto rows = co_await conn->run(count, 5000ms);
    CHECK(rows.front().integer(0, 0) == 0);
  }());
}

TEST_CASE("the server's statement timeout answers timeout and keeps the connection") {
  test::TestDatabase db;
  run_async([&]() -> asio::awaitable<void> {
    auto conn = co_await open(db.url(), 200ms);
    std::vector<pg::Statement> slow{{"SELECT pg_sleep(3)"}};
    auto started = std::chrono::steady_clock::now();
    try {
      co_await conn->run(slow, 5000ms);
      FAIL("expected a timeout");
    } catch (const pg::QueryError& e) {
      CHECK(e.errc() == Errc::timeout);
    }
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(conn->usable());
    std::vector<pg::Statement> quick{{"SELECT 1"}};
    CHECK((co_await conn->run(quick, 5000ms)).front().integer(0, 0) == 1);
  }());
}

TEST_CASE("a client-side deadline gives up on the connection") {
  test::TestDatabase db;
  run_async([&]() -> asio::awaitable<void> {
    auto conn = co_await open(db.url());
    std::vector<pg::Statement> slow{{"SELECT pg_sleep(5)"}};
    auto started = std::chrono::steady_clock::now();
    try {
      co_await conn->run(slow, 200ms);
      FAIL("expected a timeout");
    } catch (const Error& e) {
      CHECK(e.errc() == Errc::timeout);
    }
    CHECK(std::chrono::steady_clock::now() - started < 1500ms);
    CHECK_FALSE(conn->usable());
    try {
      co_await conn->run(slow, 200ms);
      FAIL("a broken connection must refuse work");
    } catch (const Error& e) {
      CHECK(e.errc() == Errc::unavailable);
    }
  }());
}

TEST_CASE("waiting on the database never blocks the thread") {
  test::TestDatabase db;
  auto elapsed = run_async([&]() -> asio::awaitable<std::chrono::steady_clock::duration> {
    using namespace asio::experimental::awaitable_operators;
    auto a = co_await open(db.url());
    auto b = co_await open(db.url());
    std::vector<pg::Statement> sleep{{"SELECT pg_sleep(0.4)"}};
    auto started = std::chrono::steady_clock::now();
    co_await (a->run(sleep, 5000ms) && b->run(sleep, 5000ms));
    co_return std::chrono::steady_clock::now() - started;
  }());
  CHECK(elapsed < 750ms);  // both sleeps overlapped on one thread
}

TEST_CASE("large values and long pipelines cross the socket in both directions") {
  test::TestDatabase db;
  run_async([&]() -> asio::awaitable<void> {
    auto conn = co_await open(db.url());
    std::string big(4 * 1024 * 1024, 'x');
    big.replace(0, 6, "开始");
    std::vector<pg::Statement> echo{{"SELECT $1::text", big}};
    auto result = (co_await conn->run(echo, 10000ms)).front();
    CHECK(result.text(0, 0) == big);

    std::vector<pg::Statement> many;
    for (int i = 0; i < 2000; ++i) many.emplace_back("SELECT $1::int, repeat('y', 500)", i);
    auto results = co_await conn->run(many, 10000ms);
    REQUIRE(results.size() == 2000);
    CHECK(results[1999].integer(0, 0) == 1999);
  }());
}

TEST_CASE("an unreachable database is reported as unavailable") {
  test::ScratchDir nowhere;
  auto url = "postgresql://petitiond@/x?host=" + nowhere.path().string() + "&port=5432";
  try {
    run_async(open(url));
    FAIL("expected a connection failure");
  } catch (const Error& e) {
    CHECK(e.errc() == Errc::unavailable);
    CHECK_THAT(e.message(), Catch::Matchers::Contains("cannot connect"));
  }
}

TEST_CASE("a multi-host URL reaches the server libpq settles on after turning others down") {
  // prefer-standby turns down both primaries (the same server, listed twice) after talking to each, then
  // connects again: each attempt is a new socket that often reuses the last one's number (as when a failover
  // leaves the old primary dead and a standby first in the list).
  test::TestDatabase db;
  const auto url = db.url();
  const auto host_at = url.find("host=");
  const auto socket_dir = url.substr(host_at + 5, url.find('&', host_at) - host_at - 5);
  const auto listed_twice = url.substr(0, host_at) + "host=" + socket_dir + "," + socket_dir +
                            "&port=5432,5432&target_session_attrs=prefer-standby";
  const auto started = std::chrono::steady_clock::now();
  auto results = run_async([&]() -> asio::awaitable<std::vector<pg::Result>> {
    auto connection = co_await open(listed_twice);
    std::vector<pg::Statement> statements{{"SELECT 'reached'"}};
    co_return co_await connection->run(statements, 5000ms);
  }());
  CHECK(results.at(0).text(0, 0) == "reached");
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("statements are prepared once per connection, also when a pipeline fails around them") {
  test::TestDatabase db;
  run_async([&]() -> asio::awaitable<void> {
    auto conn = co_await open(db.url());
    std::vector<pg::Statement> same_twice{{"SELECT $1::int", 1}, {"SELECT $1::int", 2}};
    auto results = co_await conn->run(same_twice, 5000ms);
    CHECK(results[1].integer(0, 0) == 2);

    // A failure before a new statement skips its Prepare; the statement must still work later.
    std::vector<pg::Statement> failing{{"SELECT 1/0"}, {"SELECT $1::text || 'x'", std::string("a")}};
    try {
      co_await conn->run(failing, 5000ms);
      FAIL("expected division by zero");
    } catch (const pg::QueryError& e) {
      CHECK(e.sqlstate() == "22012");
    }
    std::vector<pg::Statement> again{
        {"SELECT $1::text || 'x'", std::string("b")}, {"SELECT $1::int", 3}, {"SELECT 'new'"}};
    auto later = co_await conn->run(again, 5000ms);
    CHECK(later[0].text(0, 0) == "bx");
    CHECK(later[1].integer(0, 0) == 3);
    CHECK(later[2].text(0, 0) == "new");

    std::vector<pg::Statement> count{{"SELECT count(*) FROM pg_prepared_statements"}};
    CHECK((co_await conn->run(count, 5000ms)).front().integer(0, 0) == 5);

    std::vector<pg::Statement> bad_sql{{"SELEC nonsense"}};
    try {
      co_await conn->run(bad_sql, 5000ms);
      FAIL("expected a syntax error");
    } catch (const pg::QueryError& e) {
      CHECK(e.sqlstate() == "42601");
    }
    CHECK(conn->usable());
  }());
}

TEST_CASE("an unprepared statement is planned for its values, a prepared one once for any") {
  test::TestDatabase db;
  run_async([&]() -> asio::awaitable<void> {
    auto conn = co_await open(db.url());
    const std::string mode = "SELECT current_setting('plan_cache_mode')";
    pg::Statement unprepared("EXPLAIN SELECT * FROM pg_class WHERE relname = $1", std::string("pg_type"));
    unprepared.prepare = false;
    std::vector<pg::Statement> statements{{mode}, std::move(unprepared), {mode}};
    auto results = co_await conn->run(statements, 5000ms);
    CHECK(results[0].text(0, 0) == "force_generic_plan");  // prepared statements: one plan for any values
    std::string plan;
    for (int row = 0; row < results[1].rows(); ++row) plan += std::string(results[1].text(row, 0)) + "\n";
    CHECK(plan.find("'pg_type'") != std::string::npos);   // planned for this value
    CHECK(results[2].text(0, 0) == "force_custom_plan");  // from the unprepared statement to the end of the transaction

    std::vector<pg::Statement> later{{mode}};
    CHECK((co_await conn->run(later, 5000ms)).front().text(0, 0) == "force_generic_plan");
  }());
}
