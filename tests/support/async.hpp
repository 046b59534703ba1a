#pragma once
// Runs a coroutine to completion and returns its result (or rethrows). Every call uses the same
// io_context, so database connections pooled by one call stay valid in the next.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace petitiond::test {

inline boost::asio::io_context& test_io() {
  static boost::asio::io_context io;
  return io;
}

template <typename T>
T run_async(boost::asio::awaitable<T> task) {
  auto& io = test_io();
  io.restart();
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace petitiond::test
