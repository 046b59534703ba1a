#include "server/app/deadline_scheduler.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/logging/log.hpp"

namespace petitiond::app {
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int batch = 200;
constexpr int fact_batch = 5'000;
constexpr int overdue_batch = 1'000;
constexpr int overdue_change_batch = 2 * overdue_batch;  // a reclass logs a change out and one in
constexpr auto housekeeping_every = std::chrono::minutes(10);
constexpr auto idempotency_keys_kept = std::chrono::hours(24 * 7);
// A point due now that another process holds is retried this soon, not in a busy loop.
constexpr auto shortest_sleep = 20ms;

DeadlineScheduler::DeadlineScheduler(asio::io_context& io, pg::ConnectOptions listen_options,
                                     store::PetitionStore& petitions, store::ReportStore& reports,
                                     std::chrono::milliseconds interval)
    : strand_(asio::make_strand(io)),
      timer_(strand_),
      wake_listener_(io, std::move(listen_options), store::deadline_channel,
                     [this](std::string) -> asio::awaitable<void> {
                       wake();
                       co_return;
                     }),
      petitions_(petitions),
      reports_(reports),
      interval_(interval) {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  process_ = std::string(host) + ":" + std::to_string(::getpid()) + ":" +
             std::to_string(reinterpret_cast<std::uintptr_t>(this));
}

void DeadlineScheduler::start() {
  if (interval_.count() <= 0) return;
  wake_listener_.start();
  asio::co_spawn(strand_, run(), asio::detached);
}

void DeadlineScheduler::stop() {
  stopping_ = true;
  wake_listener_.stop();
  wake();
}

void DeadlineScheduler::wake() {
  asio::post(strand_, [this] {
    woken_ = true;
    timer_.cancel();
  });
}

asio::awaitable<void> DeadlineScheduler::run() {
  next_housekeeping_ = std::chrono::steady_clock::now();
  while (!stopping_) {
    woken_ = false;
    auto sleep = interval_;
    try {
      const bool more = co_await pass();
      sleep = more ? std::chrono::milliseconds(0) : co_await time_to_next_point();
    } catch (const std::exception& e) {
      spdlog::warn("deadline scheduler: {}; trying again", e.what());
    }
    if (woken_ || stopping_) continue;  // a nearer point was written during the pass
    timer_.expires_after(sleep);
    boost::system::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<bool> DeadlineScheduler::pass() {
  if (std::chrono::steady_clock::now() >= next_housekeeping_) {
    next_housekeeping_ += housekeeping_every;
    try {
      if (auto forgotten = co_await petitions_.forget_idempotency_keys(idempotency_keys_kept))
        spdlog::info("forgot {} idempotency key(s) older than a week", forgotten);
      // A working calendar changed by a process that died before the running deadlines followed it.
      co_await petitions_.recompute_deadlines();
    } catch (const std::exception& e) {
      spdlog::warn("housekeeping: {}", e.what());
    }
  }
  int fired = 0;
  do {
    fired = co_await petitions_.fire_escalations(process_, batch);
    if (fired > 0) spdlog::info("deadline scheduler: {} escalation(s) fired", fired);
  } while (fired == batch && !stopping_);
  // The reports' work a batch at a time, so that a backlog (after a bulk load, or a migration) never holds
  // the next escalation back for more than one batch: facts into the rollups, then overdue now (petitions
  // whose lateness class the clock has changed, and the changes into the tally).
  const bool facts_left = co_await reports_.fold(fact_batch) == fact_batch;
  const bool classes_left = co_await reports_.reclass_overdue(overdue_batch) == overdue_batch;
  const bool changes_left = co_await reports_.fold_overdue(overdue_change_batch) == overdue_change_batch;
  co_return facts_left || classes_left || changes_left;
}

// Until the earliest unfired point is due (by the store's clock), at most the interval.
asio::awaitable<std::chrono::milliseconds> DeadlineScheduler::time_to_next_point() {
  auto due = co_await petitions_.next_escalation_due();
  if (!due) co_return interval_;
  const auto wall = std::chrono::system_clock::now();
  const auto into_second = std::chrono::duration_cast<std::chrono::milliseconds>(
      wall - std::chrono::floor<std::chrono::seconds>(wall));  // the store's clock has whole seconds
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*due - petitions_.now()) - into_second;
  co_return std::clamp<std::chrono::milliseconds>(left, shortest_sleep, interval_);
}

}  // namespace petitiond::app
