#include "server/pg/cluster_watch.hpp"

#include <algorithm>

namespace petitiond::pg {

ClusterWatch::ClusterWatch(EmbeddedCluster& cluster, Report report, std::chrono::milliseconds interval)
    : cluster_(cluster), report_(std::move(report)), interval_(interval), thread_([this] { run(); }) {}

ClusterWatch::~ClusterWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

ClusterState ClusterWatch::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool ClusterWatch::wait_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void ClusterWatch::change(const std::function<void(ClusterState&)>& edit) {
  ClusterState now;
  {
    std::lock_guard lock(mutex_);
    edit(state_);
    now = state_;
  }
  if (report_) report_(now);
}

void ClusterWatch::run() {
  std::chrono::milliseconds backoff{0};
  while (wait_for(backoff.count() > 0 ? backoff : interval_)) {
    if (cluster_.answering()) continue;
    if (state().up)
      change([](ClusterState& s) {
        s.up = false;
        s.problem = "the embedded PostgreSQL does not answer; restarting it";
      });
    try {
      cluster_.restart();
      backoff = std::chrono::milliseconds(0);
      change([](ClusterState& s) {
        s.up = true;
        s.problem.clear();
        ++s.restarts;
      });
    } catch (const std::exception& e) {
      backoff = std::clamp(backoff * 2, std::chrono::milliseconds(1000), std::chrono::milliseconds(30'000));
      const std::string problem = e.what();
      change([&problem](ClusterState& s) { s.problem = problem; });
    }
  }
}

}  // namespace petitiond::pg
