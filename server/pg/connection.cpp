#include "server/pg/connection.hpp"

#include <poll.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/pg/error.hpp"

namespace petitiond::pg {

using asio::awaitable;
using asio::use_awaitable;
using WaitType = asio::posix::stream_descriptor::wait_type;

// Arms a timer on the caller's executor that cancels the socket's waits when it fires. The shared flag
// keeps a handler that was already queued from touching a connection that has moved on.
class Connection::Deadline {
 public:
  Deadline(Connection& connection, asio::any_io_executor executor, Millis timeout)
      : timer_(std::move(executor)), active_(std::make_shared<bool>(true)) {
    connection.timed_out_ = false;
    timer_.expires_after(timeout);
    timer_.async_wait([&connection, active = active_](boost::system::error_code ec) {
      if (ec || !*active) return;
      connection.timed_out_ = true;
      boost::system::error_code ignored;
      connection.socket_.cancel(ignored);
    });
  }
  ~Deadline() {
    *active_ = false;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> active_;
};

Connection::Connection(asio::any_io_executor executor, PGconn* conn)
    : conn_(conn), socket_(std::move(executor)), created_at_(std::chrono::steady_clock::now()) {}

Connection::~Connection() {
  if (socket_.is_open()) socket_.release();  // libpq closes its own socket
  PQfinish(conn_);
}

awaitable<std::unique_ptr<Connection>> Connection::open(asio::any_io_executor executor, const ConnectOptions& options) {
  // Prepared statements keep one generic plan (planned once per connection, not per execution); the
  // few queries whose plan must see their parameters are sent unprepared (Statement::prepare), and planned
  // for their values (see run()). No parallel workers: starting them costs tens of milliseconds, more than
  // any query of an interactive request should take (measured: a 3 ms drill-down page took 80 ms with two).
  // No JIT compilation either: a query whose row estimate crosses jit_above_cost spends tens of
  // milliseconds compiling to save less (measured at 1 M petitions: the sums of the ranking of every village
  // took 165 ms, 71 of them compiling; 39 ms without).
  const std::string server_options = "-c statement_timeout=" + std::to_string(options.statement_timeout.count()) +
                                     " -c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0"
                                     " -c jit=off";
  // "dbname" is expanded as a URL or conninfo string; the keywords after it override what it says.
  const char* keywords[] = {"dbname", "options", "application_name", "client_encoding", nullptr};
  const char* values[] = {options.url.c_str(), server_options.c_str(), options.application_name.c_str(), "UTF8",
                          nullptr};
  PGconn* raw = PQconnectStartParams(keywords, values, 1);
  if (!raw) throw std::bad_alloc();
  std::unique_ptr<Connection> connection(new Connection(executor, raw));
  co_await connection->connect(options.connect_timeout);
  co_return connection;
}

awaitable<void> Connection::connect(Millis timeout) {
  if (PQstatus(conn_) == CONNECTION_BAD) fail("cannot connect to the database: " + std::string(PQerrorMessage(conn_)));
  if (PQsetnonblocking(conn_, 1) != 0) fail("cannot make the database connection non-blocking");
  Deadline deadline(*this, co_await asio::this_coro::executor, timeout);
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  for (;;) {
    // libpq may switch sockets while it tries hosts and addresses, and the new socket may reuse the old one's
    // number (libpq closed it first): watch it afresh each time, or the wait sits on a dead registration.
    adopt_socket(true);
    if (status == PGRES_POLLING_READING) co_await wait(WaitType::wait_read);
    else if (status == PGRES_POLLING_WRITING) co_await wait(WaitType::wait_write);
    status = PQconnectPoll(conn_);
    if (status == PGRES_POLLING_OK) break;
    if (status == PGRES_POLLING_FAILED) fail("cannot connect to the database: " + std::string(PQerrorMessage(conn_)));
  }
  adopt_socket();
  if (PQenterPipelineMode(conn_) != 1) fail("cannot enter pipeline mode");
}

void Connection::adopt_socket(bool afresh) {
  int fd = PQsocket(conn_);
  if (!afresh && socket_.is_open() && socket_.native_handle() == fd) return;
  if (socket_.is_open()) socket_.release();
  if (fd < 0) fail("the database connection has no socket");
  boost::system::error_code ec;
  socket_.assign(fd, ec);
  if (ec) fail("cannot watch the database socket: " + ec.message());
}

void Connection::fail(const std::string& what) {
  broken_ = true;
  if (timed_out_) throw Error(Errc::timeout, "the database did not answer in time");
  throw Error(Errc::unavailable, what);
}

awaitable<void> Connection::wait(WaitType type) {
  if (timed_out_) fail("timed out");
  auto [ec] = co_await socket_.async_wait(type, asio::as_tuple(use_awaitable));
  if (timed_out_ || ec) fail("database socket wait failed: " + ec.message());
}

awaitable<bool> Connection::wait_read_or_write() {
  using namespace asio::experimental::awaitable_operators;
  if (timed_out_) fail("timed out");
  auto which = co_await (socket_.async_wait(WaitType::wait_read, asio::as_tuple(use_awaitable)) ||
                         socket_.async_wait(WaitType::wait_write, asio::as_tuple(use_awaitable)));
  auto [ec] = which.index() == 0 ? std::get<0>(which) : std::get<1>(which);
  if (timed_out_ || ec) fail("database socket wait failed: " + ec.message());
  co_return which.index() == 0;
}

awaitable<void> Connection::flush() {
  for (;;) {
    int pending = PQflush(conn_);
    if (pending == 0) co_return;
    if (pending < 0) fail("cannot send to the database: " + std::string(PQerrorMessage(conn_)));
    // The server may be blocked writing results to us while we write: read whatever it sends meanwhile.
    if (co_await wait_read_or_write() && PQconsumeInput(conn_) == 0)
      fail("lost the database connection: " + std::string(PQerrorMessage(conn_)));
  }
}

awaitable<PGresult*> Connection::next_result() {
  while (PQisBusy(conn_)) {
    co_await wait(WaitType::wait_read);
    if (PQconsumeInput(conn_) == 0) fail("lost the database connection: " + std::string(PQerrorMessage(conn_)));
  }
  co_return PQgetResult(conn_);
}

awaitable<std::vector<Result>> Connection::run(std::span<const Statement> statements, Millis timeout) {
  if (broken_) throw Error(Errc::unavailable, "the database connection is broken");
  // Text parameters travel as C strings: a NUL would cut the value short without a word. Handlers refuse
  // it naming the field; this is the safety net, before anything is sent.
  for (const auto& statement : statements)
    for (const auto& param : statement.params)
      if (param && param->find('\0') != std::string::npos)
        throw Error(Errc::invalid_field, "text must not contain NUL characters");
  Deadline deadline(*this, co_await asio::this_coro::executor, timeout);

  // Statements seen for the first time are prepared in this pipeline; their names become usable only
  // if the Prepare succeeds (a failure earlier in the pipeline skips it).
  constexpr size_t max_prepared = 1000;
  std::vector<std::string> preparing(statements.size());  // name, where statement i is prepared here
  std::unordered_map<std::string_view, std::string> preparing_now;
  // An unprepared statement would still get a generic plan under this connection's plan_cache_mode: before
  // the first one, the pipeline's transaction switches to custom plans (until it ends).
  std::vector<bool> custom_before(statements.size(), false);
  bool custom_plans = false;
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto& statement = statements[i];
    values.clear();
    lengths.clear();
    for (const auto& param : statement.params) {
      values.push_back(param ? param->c_str() : nullptr);
      lengths.push_back(param ? static_cast<int>(param->size()) : 0);
    }
    const int count = static_cast<int>(values.size());
    if (!statement.prepare && !custom_plans) {
      if (!PQsendQueryParams(conn_, "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)", 0, nullptr,
                             nullptr, nullptr, nullptr, 0))
        fail("cannot queue a statement: " + std::string(PQerrorMessage(conn_)));
      custom_before[i] = custom_plans = true;
    }
    std::string name;
    if (auto known = prepared_.find(statement.sql); known != prepared_.end()) name = known->second;
    else if (auto pending = preparing_now.find(statement.sql); pending != preparing_now.end()) name = pending->second;
    if (name.empty() && statement.prepare && prepared_.size() < max_prepared) {
      name = "p" + std::to_string(next_statement_id_++);
      if (!PQsendPrepare(conn_, name.c_str(), statement.sql.c_str(), count, nullptr))
        fail("cannot queue a statement: " + std::string(PQerrorMessage(conn_)));
      preparing[i] = name;
      preparing_now.emplace(statement.sql, name);
    }
    int sent =
        name.empty()
            ? PQsendQueryParams(conn_, statement.sql.c_str(), count, nullptr, values.data(), lengths.data(), nullptr, 0)
            : PQsendQueryPrepared(conn_, name.c_str(), count, values.data(), lengths.data(), nullptr, 0);
    if (!sent) fail("cannot queue a statement: " + std::string(PQerrorMessage(conn_)));
  }
  if (!PQpipelineSync(conn_)) fail("cannot end the pipeline: " + std::string(PQerrorMessage(conn_)));
  co_await flush();

  // Reads one statement's result and the NULL that ends it.
  auto read_one = [this]() -> awaitable<Result> {
    Result result(co_await next_result());
    if (!result.raw()) fail("the database sent no result for a statement");
    Result terminator(co_await next_result());
    if (terminator.raw()) fail("the database sent more results than statements");
    co_return result;
  };

  std::vector<Result> results;
  results.reserve(statements.size());
  std::optional<QueryError> first_error;
  for (size_t i = 0; i < statements.size(); ++i) {
    if (custom_before[i]) {
      auto set = co_await read_one();
      if (PQresultStatus(set.raw()) == PGRES_FATAL_ERROR && !first_error) first_error = query_error(set.raw());
    }
    if (!preparing[i].empty()) {
      auto prepared = co_await read_one();
      auto status = PQresultStatus(prepared.raw());
      if (status == PGRES_COMMAND_OK) prepared_.emplace(statements[i].sql, preparing[i]);
      else if (status == PGRES_FATAL_ERROR && !first_error) first_error = query_error(prepared.raw());
    }
    auto result = co_await read_one();
    switch (PQresultStatus(result.raw())) {
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
      case PGRES_PIPELINE_ABORTED: break;
      case PGRES_FATAL_ERROR:
        if (!first_error) first_error = query_error(result.raw());
        break;
      default: fail("unsupported result status " + std::string(PQresStatus(PQresultStatus(result.raw()))));
    }
    results.push_back(std::move(result));
  }
  Result sync(co_await next_result());
  if (!sync.raw() || PQresultStatus(sync.raw()) != PGRES_PIPELINE_SYNC) fail("the pipeline did not end in a sync");
  if (first_error) throw *first_error;
  co_return results;
}

awaitable<std::vector<Notification>> Connection::notifications(Millis timeout) {
  using namespace asio::experimental::awaitable_operators;
  if (broken_) throw Error(Errc::unavailable, "the database connection is broken");
  std::vector<Notification> out;
  auto collect = [this, &out] {
    while (PGnotify* notice = PQnotifies(conn_)) {
      out.push_back({notice->relname, notice->extra ? notice->extra : ""});
      PQfreemem(notice);
    }
  };
  collect();
  if (!out.empty()) co_return out;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  auto which = co_await (socket_.async_wait(WaitType::wait_read, asio::as_tuple(use_awaitable)) ||
                         timer.async_wait(asio::as_tuple(use_awaitable)));
  if (which.index() == 0) {
    auto [ec] = std::get<0>(which);
    if (ec) fail("database socket wait failed: " + ec.message());
    if (PQconsumeInput(conn_) == 0) fail("lost the database connection: " + std::string(PQerrorMessage(conn_)));
    collect();
  } else if (PQstatus(conn_) != CONNECTION_OK) {
    fail("lost the database connection");
  }
  co_return out;
}

bool Connection::usable() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
  // A server that shut down or dropped us has left the socket readable (an error and EOF).
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (::poll(&fd, 1, 0) > 0) {
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) return false;
    if ((fd.revents & (POLLHUP | POLLERR)) != 0) return false;
  }
  return true;
}

}  // namespace petitiond::pg
