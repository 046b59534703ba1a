#pragma once
// One non-blocking libpq connection driven by Asio. libpq owns the socket: Asio only waits for readiness.
//
// A connection serves one coroutine at a time, and that coroutine must run on a strand (or a
// single-threaded io_context): the timeout handler runs on the caller's executor and cancels socket waits.
#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/pg/result.hpp"
#include "server/pg/statement.hpp"

namespace petitiond::pg {

namespace asio = boost::asio;
using Millis = std::chrono::milliseconds;

struct ConnectOptions {
  std::string url;  // postgres://… or key=value conninfo
  Millis connect_timeout{5000};
  Millis statement_timeout{5000};  // server-side statement_timeout
  std::string application_name{"petitiond"};
};

// A NOTIFY received on a channel the connection LISTENs to.
struct Notification {
  std::string channel;
  std::string payload;
};

class Connection {
 public:
  static asio::awaitable<std::unique_ptr<Connection>> open(asio::any_io_executor executor,
                                                           const ConnectOptions& options);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Sends every statement, then one Sync, and reads all results: one round trip and one implicit
  // transaction (a failed statement rolls back the ones before it and skips the rest). Throws
  // QueryError for the first failed statement; Error(unavailable|timeout) when the connection breaks,
  // after which the connection is unusable.
  asio::awaitable<std::vector<Result>> run(std::span<const Statement> statements, Millis timeout);

  // Notifications for the channels this connection LISTENs to (run "LISTEN …" first): those that have
  // arrived, else the first to arrive within `timeout`; empty when none did. Throws Error(unavailable)
  // when the connection breaks. A connection used for this runs nothing else concurrently.
  asio::awaitable<std::vector<Notification>> notifications(Millis timeout);

  // Healthy, idle and not closed by the server (checked without blocking).
  bool usable();

  std::chrono::steady_clock::time_point created_at() const { return created_at_; }

 private:
  Connection(asio::any_io_executor executor, PGconn* conn);

  asio::awaitable<void> connect(Millis timeout);
  asio::awaitable<void> flush();
  asio::awaitable<PGresult*> next_result();
  asio::awaitable<void> wait(asio::posix::stream_descriptor::wait_type type);
  asio::awaitable<bool> wait_read_or_write();  // true when readable
  void adopt_socket(bool afresh = false);
  [[noreturn]] void fail(const std::string& what);

  class Deadline;

  PGconn* conn_;
  asio::posix::stream_descriptor socket_;
  // Statements this connection has prepared, by SQL text. Each is prepared in the same pipeline as its
  // first use, so caching costs no extra round trip.
  std::unordered_map<std::string, std::string> prepared_;
  std::uint64_t next_statement_id_ = 0;
  bool broken_ = false;
  bool timed_out_ = false;
  std::chrono::steady_clock::time_point created_at_;
};

}  // namespace petitiond::pg
