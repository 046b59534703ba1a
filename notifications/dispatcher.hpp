#pragma once
// Delivers notifications. Each pass expands new outbox rows into deliveries (expand_outbox), claims due
// deliveries with SKIP LOCKED and a lease (so any number of processes share the work and a crashed one's
// claims come back when the lease runs out), sends each on its channel, and records the outcome: sent;
// failed, to be retried after an exponential back-off with jitter; or, after `max_attempts`, dead — a
// dead letter an admin can list and resend. At least once: a delivery sent but not yet recorded when a
// process dies is sent again, under the same idempotency key.
//
// Channels: SMS through the HTTP gateway of the `sms.gateway` setting; e-mail over SMTP (the `smtp`
// setting); webhooks (JSON, HMAC-SHA256 signed); in-app, a NOTIFY on petitiond_user_events that every
// process pushes to the user's streams. Each pass also queues the managers' daily digest once a day, from
// the hour of the `digest` setting ({"hour": 8} by default).
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "notifications/messages.hpp"
#include "server/pg/pool.hpp"

namespace petitiond::notifications {

// In-app notifications travel between processes on this channel: {"user_id":…, "event":…, "data":{…}}.
inline constexpr const char* user_event_channel = "petitiond_user_events";

struct DispatcherOptions {
  std::chrono::milliseconds interval{1000};  // between passes when there is nothing to do; 0: never run
  int batch = 100;
  int max_attempts = 8;
  std::chrono::seconds first_retry{30};  // doubled after each failure, at most an hour, times 0.5–1.5
  std::chrono::seconds lease{120};       // how long a claimed delivery is left to its process
  std::chrono::milliseconds send_timeout{10000};
  bool webhooks_allow_private = false;  // see address_policy.hpp
  // The time the daily digest goes by (the server's clock, which tests move).
  std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
};

class Dispatcher {
 public:
  Dispatcher(boost::asio::io_context& io, pg::Pool& pool, boost::asio::thread_pool& workers,
             MessageTemplates& templates, DispatcherOptions options);

  void start();
  void stop();

  // One pass; returns how many deliveries it attempted (tests and the benchmark drive passes directly).
  boost::asio::awaitable<int> pass();

 private:
  boost::asio::awaitable<void> run();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  pg::Pool& pool_;
  boost::asio::thread_pool& workers_;
  MessageTemplates& templates_;
  DispatcherOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace petitiond::notifications
