#pragma once
// Fires the escalation points of running deadline clocks as they fall due. The database is the truth:
// this asks PostgreSQL to fire what is due (fire_escalations, SKIP LOCKED), so any number of processes
// may run it, and points that fell due while every process was down fire at the first pass after
// start-up. Nothing is kept per petition in memory. Between passes it sleeps until the earliest unfired
// point falls due, at most `interval`; a process that writes a point earlier than every other one sends
// NOTIFY petitiond_deadlines, which wakes every scheduler at once. Each pass also folds the queued report
// facts into the rollups, and every ten minutes (and at start-up) it forgets Idempotency-Keys older than a
// week and finishes recomputing running deadlines after a calendar change that no process finished.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <string>

#include "server/app/notification_listener.hpp"
#include "server/store/petitions.hpp"
#include "server/store/reports.hpp"

namespace petitiond::app {

class DeadlineScheduler {
 public:
  DeadlineScheduler(boost::asio::io_context& io, pg::ConnectOptions listen_options, store::PetitionStore& petitions,
                    store::ReportStore& reports, std::chrono::milliseconds interval);

  void start();
  void stop();

 private:
  boost::asio::awaitable<void> run();
  // Fires what is due, then one batch of the reports' work; true when that work has more waiting.
  boost::asio::awaitable<bool> pass();
  boost::asio::awaitable<std::chrono::milliseconds> time_to_next_point();
  void wake();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  NotificationListener wake_listener_;
  store::PetitionStore& petitions_;
  store::ReportStore& reports_;
  std::chrono::milliseconds interval_;
  std::string process_;
  std::atomic<bool> stopping_{false};
  bool woken_ = false;  // on the strand: a NOTIFY came while a pass ran
  std::chrono::steady_clock::time_point next_housekeeping_;
};

}  // namespace petitiond::app
