#pragma once
// Database work outside a serving process (admin commands, demo loading): a one-connection pool on a
// private io_context, run to completion. Exceptions from the work are rethrown to the caller.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>

#include "server/pg/pool.hpp"

namespace petitiond::app {

template <typename T>
T run_offline(const std::string& database_url, std::function<boost::asio::awaitable<T>(pg::Pool&)> work) {
  boost::asio::io_context io;
  pg::PoolOptions options;
  options.connect = {database_url, std::chrono::seconds(10), std::chrono::minutes(5), "petitiond-offline"};
  options.max_size = 1;
  options.query_timeout = std::chrono::minutes(5);
  pg::Pool pool(options);
  auto result = boost::asio::co_spawn(io, work(pool), boost::asio::use_future);
  io.run();
  return result.get();
}

}  // namespace petitiond::app
