#pragma once
// Listens on one PostgreSQL NOTIFY channel with a connection of its own, and hands each payload to a
// handler. Several petitiond processes share a database: what one of them learns (a telephone ringing)
// reaches the users connected to any of them this way. Reconnects after a failure; a payload sent while
// the connection was down is lost, so handlers serve live screens, never records.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>

#include "server/pg/connection.hpp"

namespace petitiond::app {

class NotificationListener {
 public:
  using Handler = std::function<boost::asio::awaitable<void>(std::string payload)>;

  // `channel` is an SQL identifier chosen by the code, never user input.
  NotificationListener(boost::asio::io_context& io, pg::ConnectOptions options, std::string channel, Handler handler);

  void start();
  void stop() { stopping_ = true; }
  // True once LISTEN has taken effect (and while the connection holds).
  bool listening() const { return listening_; }

 private:
  boost::asio::awaitable<void> run();

  boost::asio::io_context& io_;
  pg::ConnectOptions options_;
  std::string channel_;
  Handler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
};

}  // namespace petitiond::app
