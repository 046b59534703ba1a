#include "server/app/deadline_scheduler.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/logging/log.hpp"

namespace petitiond::app {
namespace asio = boost::asio;

constexpr int batch = 200;
constexpr int fact_batch = 5'000;
constexpr auto housekeeping_every = std::chrono::minutes(10);
constexpr auto idempotency_keys_kept = std::chrono::hours(24 * 7);

DeadlineScheduler::DeadlineScheduler(asio::io_context& io, store::PetitionStore& petitions, store::ReportStore& reports,
                                     std::chrono::milliseconds interval)
    : io_(io), petitions_(petitions), reports_(reports), interval_(interval) {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  process_ = std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
}

void DeadlineScheduler::start() {
  if (interval_.count() > 0) asio::co_spawn(asio::make_strand(io_), run(), asio::detached);
}

asio::awaitable<void> DeadlineScheduler::run() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto next_housekeeping = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (std::chrono::steady_clock::now() >= next_housekeeping) {
      next_housekeeping += housekeeping_every;
      try {
        if (auto forgotten = co_await petitions_.forget_idempotency_keys(idempotency_keys_kept))
          spdlog::info("forgot {} idempotency key(s) older than a week", forgotten);
      } catch (const std::exception& e) {
        spdlog::warn("housekeeping: {}", e.what());
      }
    }
    try {
      int fired = 0;
      do {
        fired = co_await petitions_.fire_escalations(process_, batch);
        if (fired > 0) spdlog::info("deadline scheduler: {} escalation(s) fired", fired);
      } while (fired == batch && !stopping_);
      int folded = 0;
      do folded = co_await reports_.fold(fact_batch);
      while (folded == fact_batch && !stopping_);
    } catch (const std::exception& e) {
      spdlog::warn("deadline scheduler: {}; trying again", e.what());
    }
    timer.expires_after(interval_);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace petitiond::app
