#include "server/app/notification_listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/logging/log.hpp"

namespace petitiond::app {
namespace asio = boost::asio;
using namespace std::chrono_literals;

NotificationListener::NotificationListener(asio::io_context& io, pg::ConnectOptions options, std::string channel,
                                           Handler handler)
    : io_(io), options_(std::move(options)), channel_(std::move(channel)), handler_(std::move(handler)) {}

void NotificationListener::start() { asio::co_spawn(asio::make_strand(io_), run(), asio::detached); }

asio::awaitable<void> NotificationListener::run() {
  auto executor = co_await asio::this_coro::executor;
  while (!stopping_) {
    bool failed = false;
    try {
      auto connection = co_await pg::Connection::open(executor, options_);
      std::vector<pg::Statement> listen{pg::Statement("LISTEN " + channel_)};
      co_await connection->run(listen, options_.statement_timeout);
      listening_ = true;
      while (!stopping_) {
        auto batch = co_await connection->notifications(1s);
        for (auto& notification : batch) {
          try {
            auto task = handler_(std::move(notification.payload));
            co_await std::move(task);
          } catch (const std::exception& e) {
            spdlog::warn("handling a notification on {} failed: {}", channel_, e.what());
          }
        }
      }
    } catch (const std::exception& e) {
      spdlog::warn("listening on {}: {}; trying again in a second", channel_, e.what());
      failed = true;
    }
    listening_ = false;
    if (failed && !stopping_) {
      asio::steady_timer pause(executor, 1s);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
}

}  // namespace petitiond::app
