#pragma once
// Fires the escalation points of running deadline clocks as they fall due. The database is the truth:
// this only wakes up every `interval` and asks PostgreSQL to fire what is due (fire_escalations, SKIP
// LOCKED), so any number of processes may run it, and points that fell due while every process was down
// fire at the first pass after start-up. Nothing is kept per petition in memory. Each pass also folds the
// queued report facts into the rollups, and every ten minutes it forgets Idempotency-Keys older than a week.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "server/store/petitions.hpp"
#include "server/store/reports.hpp"

namespace petitiond::app {

class DeadlineScheduler {
 public:
  DeadlineScheduler(boost::asio::io_context& io, store::PetitionStore& petitions, store::ReportStore& reports,
                    std::chrono::milliseconds interval);

  void start();
  void stop() { stopping_ = true; }

 private:
  boost::asio::awaitable<void> run();

  boost::asio::io_context& io_;
  store::PetitionStore& petitions_;
  store::ReportStore& reports_;
  std::chrono::milliseconds interval_;
  std::string process_;
  std::atomic<bool> stopping_{false};
};

}  // namespace petitiond::app
