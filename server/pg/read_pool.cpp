#include "server/pg/read_pool.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "core/error.hpp"

namespace petitiond::pg {

ReadPool::ReadPool(Pool& primary, std::optional<PoolOptions> standby) : primary_(primary) {
  if (standby) standby_ = std::make_unique<Pool>(std::move(*standby));
}

asio::awaitable<std::vector<Result>> ReadPool::run(std::vector<Statement> statements) {
  if (standby_ && up_) {
    auto copy = statements;
    std::optional<std::vector<Result>> results;
    try {
      results = co_await standby_->run(std::move(copy));
    } catch (const Error& e) {
      // Unreachable: reads go to the primary until a check finds it again. A query error (a recovery
      // conflict cancelled it) is the primary's to answer this once.
      if (e.errc() == Errc::unavailable) up_ = false;
      ++fallbacks_;
      spdlog::warn("a read failed on the standby ({}); the primary answers it", e.what());
    }
    if (results) co_return std::move(*results);
  }
  auto on_primary = co_await primary_.run(std::move(statements));
  co_return on_primary;
}

asio::awaitable<Result> ReadPool::run_one(Statement statement) {
  std::vector<Statement> statements;
  statements.push_back(std::move(statement));
  auto results = co_await run(std::move(statements));
  co_return std::move(results.front());
}

asio::awaitable<void> ReadPool::check() {
  if (!standby_) co_return;
  const bool was_up = up_;
  try {
    // Caught up when it has replayed all it received; else as old as the last commit it replayed.
    Statement probe(
        "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery()"
        " OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
        " ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0) END");
    auto result = co_await standby_->run_one(std::move(probe));
    lag_seconds_ = std::stod(std::string(result.text(0, 1)));
    up_ = true;
  } catch (const Error& e) {
    up_ = false;
    lag_seconds_ = -1;
    if (was_up) spdlog::warn("the standby does not answer ({}); reports read the primary", e.what());
  }
  if (!was_up && up_) spdlog::info("the standby answers; reports read it");
}

StandbyState ReadPool::state() const {
  StandbyState state;
  state.configured = standby_ != nullptr;
  state.up = up_;
  const double lag = lag_seconds_;
  if (lag >= 0) state.lag_seconds = lag;
  state.fallbacks = fallbacks_;
  return state;
}

void ReadPool::close() {
  if (standby_) standby_->close();
}

}  // namespace petitiond::pg
