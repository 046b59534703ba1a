#pragma once
// A bounded pool of connections. Callers never hold a connection across unrelated awaits: they hand the
// pool a batch of statements and get the results back (one round trip, one transaction).
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "server/pg/batch.hpp"
#include "server/pg/connection.hpp"

namespace petitiond::pg {

struct PoolOptions {
  ConnectOptions connect;
  size_t max_size = 16;
  Millis acquire_timeout{2000};  // waiting for a free connection
  Millis query_timeout{10000};   // client-side bound on one round trip; the connection is discarded after it
};

struct PoolStats {
  size_t open = 0;  // connections open or opening
  size_t in_use = 0;
  size_t waiting = 0;  // callers queued for a connection
};

class Pool {
 public:
  explicit Pool(PoolOptions options);
  ~Pool();

  // Runs the statements as one pipelined transaction on a pooled connection. Throws Error(unavailable)
  // when no connection can be had in time or the database is unreachable, QueryError for SQL failures.
  asio::awaitable<std::vector<Result>> run(std::vector<Statement> statements);
  asio::awaitable<Result> run_one(Statement statement);
  // The same for a batch, whose results are read through the handles its add() returned.
  asio::awaitable<BatchResults> run(Batch batch);

  PoolStats stats() const;
  const PoolOptions& options() const { return options_; }

  // Closes idle connections; waiters fail. Call before the io_context stops.
  void close();

 private:
  struct Waiter;
  class Lease;

  asio::awaitable<std::unique_ptr<Connection>> acquire();
  asio::awaitable<std::unique_ptr<Connection>> open_in_slot(asio::any_io_executor executor);
  void release(std::unique_ptr<Connection> connection);

  PoolOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
  size_t open_ = 0;
  size_t in_use_ = 0;
  bool closed_ = false;
};

}  // namespace petitiond::pg
