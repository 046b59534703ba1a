#include "server/pg/pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/error.hpp"

namespace petitiond::pg {

using asio::awaitable;

// A caller queued for a connection. release() hands it a connection (or a slot to open one) and wakes
// it by cancelling its timer; all fields are guarded by the pool's mutex.
struct Pool::Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  std::unique_ptr<Connection> connection;
  bool may_open = false;  // woken because a slot became free: open a new connection
};

Pool::Pool(PoolOptions options) : options_(std::move(options)) {}

Pool::~Pool() { close(); }

void Pool::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  open_ -= idle_.size();
  idle_.clear();
  for (auto& waiter : waiters_) waiter->timer.cancel();
  waiters_.clear();
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return {open_, in_use_, waiters_.size()};
}

awaitable<std::unique_ptr<Connection>> Pool::acquire() {
  auto executor = co_await asio::this_coro::executor;
  const auto give_up_at = std::chrono::steady_clock::now() + options_.acquire_timeout;
  for (;;) {
    std::shared_ptr<Waiter> waiter;
    {
      std::unique_lock lock(mutex_);
      if (closed_) throw Error(Errc::unavailable, "the server is shutting down");
      while (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        if (connection->usable()) {
          ++in_use_;
          co_return connection;
        }
        --open_;  // dropped by the server (restart, idle timeout): discard
      }
      if (open_ < options_.max_size) {
        ++open_;
        ++in_use_;
        lock.unlock();
        co_return co_await open_in_slot(executor);
      }
      waiter = std::make_shared<Waiter>(executor);
      waiter->timer.expires_at(give_up_at);
      waiters_.push_back(waiter);
    }
    co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    std::unique_lock lock(mutex_);
    if (waiter->connection) co_return std::move(waiter->connection);  // in_use_ already counted
    if (waiter->may_open) {
      lock.unlock();
      co_return co_await open_in_slot(executor);
    }
    std::erase(waiters_, waiter);
    if (closed_) throw Error(Errc::unavailable, "the server is shutting down");
    if (std::chrono::steady_clock::now() >= give_up_at)
      throw Error(Errc::unavailable, "no database connection became free in time");
  }
}

// Opens a connection for a slot already counted in open_ and in_use_; a failure frees the slot.
awaitable<std::unique_ptr<Connection>> Pool::open_in_slot(asio::any_io_executor executor) {
  try {
    co_return co_await Connection::open(executor, options_.connect);
  } catch (...) {
    release(nullptr);
    throw;
  }
}

// Returns a connection to the pool; nullptr means the slot it held is free (connection failed or broken).
void Pool::release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  if (connection && (closed_ || !connection->usable())) connection.reset();
  if (!waiters_.empty()) {
    auto waiter = std::move(waiters_.front());
    waiters_.pop_front();
    if (connection) waiter->connection = std::move(connection);
    else waiter->may_open = true;  // the slot passes to the waiter, which opens its own connection
    waiter->timer.cancel();
    return;
  }
  --in_use_;
  if (connection) idle_.push_back(std::move(connection));
  else --open_;
}

awaitable<std::vector<Result>> Pool::run(std::vector<Statement> statements) {
  auto connection = co_await acquire();
  std::vector<Result> results;
  try {
    results = co_await connection->run(statements, options_.query_timeout);
  } catch (...) {
    release(std::move(connection));
    throw;
  }
  release(std::move(connection));
  co_return results;
}

awaitable<BatchResults> Pool::run(Batch batch) {
  auto statements = std::move(batch).take();
  auto results = co_await run(std::move(statements));
  co_return BatchResults(std::move(results));
}

awaitable<Result> Pool::run_one(Statement statement) {
  std::vector<Statement> statements;
  statements.push_back(std::move(statement));
  auto results = co_await run(std::move(statements));
  co_return std::move(results.front());
}

}  // namespace petitiond::pg
