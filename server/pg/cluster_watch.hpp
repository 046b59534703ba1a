#pragma once
// Keeps the embedded PostgreSQL that this process owns running: checks every second that it answers,
// and when it does not (its postmaster killed, say), clears what the dead one left and starts it again,
// waiting 1, 2, 4 … at most 30 seconds between failed attempts. Its state is for /readyz and /metrics.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "server/pg/embedded_cluster.hpp"

namespace petitiond::pg {

struct ClusterState {
  bool up = true;
  int restarts = 0;     // successful restarts since this process started
  std::string problem;  // why it is down (the last failed restart's words), when it is
};

class ClusterWatch {
 public:
  using Report = std::function<void(const ClusterState&)>;  // told of each change, from the watch's thread
  ClusterWatch(EmbeddedCluster& cluster, Report report, std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~ClusterWatch();  // stops watching (before the cluster is stopped)
  ClusterWatch(const ClusterWatch&) = delete;
  ClusterWatch& operator=(const ClusterWatch&) = delete;

  ClusterState state() const;

 private:
  void run();
  bool wait_for(std::chrono::milliseconds delay);  // false once stopping

  void change(const std::function<void(ClusterState&)>& edit);

  EmbeddedCluster& cluster_;
  Report report_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ClusterState state_;
  std::thread thread_;
};

}  // namespace petitiond::pg
