#pragma once
// Polls `condition` every 50 ms until it holds or `limit` passes; returns whether it held.
#include <chrono>
#include <functional>
#include <thread>

namespace petitiond::test {

inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  using namespace std::chrono_literals;
  for (auto waited = 0ms; waited < limit; waited += 50ms) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

}  // namespace petitiond::test
