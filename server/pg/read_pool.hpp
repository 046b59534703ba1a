#pragma once
// Reads that a standby may serve (reports, drill-downs, exports): run on the standby of --database-read-url
// while it answers and is in recovery, else on the primary. A read that fails on the standby (it went down,
// or a recovery conflict cancelled it) is run again on the primary, so a report never fails for the standby.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>

#include "server/pg/pool.hpp"

namespace petitiond::pg {

struct StandbyState {
  bool configured = false;            // a --database-read-url was given
  bool up = false;                    // it answered the last check and is a standby
  std::optional<double> lag_seconds;  // how far its replay is behind the primary's commits (0: caught up)
  std::uint64_t fallbacks = 0;        // reads sent to the primary because the standby failed them
};

class ReadPool {
 public:
  // Without `standby`, every read goes to `primary`.
  ReadPool(Pool& primary, std::optional<PoolOptions> standby);

  asio::awaitable<std::vector<Result>> run(std::vector<Statement> statements);
  asio::awaitable<Result> run_one(Statement statement);

  // Asks the standby whether it answers, is in recovery, and how far behind it is; reads go to it only when
  // it answered. Run every second by the application.
  asio::awaitable<void> check();
  StandbyState state() const;
  void close();

 private:
  Pool& primary_;
  std::unique_ptr<Pool> standby_;
  std::atomic<bool> up_{false};
  std::atomic<double> lag_seconds_{-1};  // -1: unknown
  std::atomic<std::uint64_t> fallbacks_{0};
};

}  // namespace petitiond::pg
