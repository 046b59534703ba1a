#pragma once
// Prometheus metrics: request latency histograms by route, method and status, plus gauges read at
// scrape time (database pool use, open connections).
#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "server/http/types.hpp"

namespace petitiond::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  // `route` is the matched pattern, or "unmatched", so the label set stays small.
  void observe(std::string_view route, Verb method, unsigned status, double seconds);

  void add_gauge(std::string name, std::string help, std::function<double()> read);

  // The text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, buckets.size()> counts{};  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, Verb, unsigned>, Histogram> histograms_;
  std::vector<Gauge> gauges_;
};

}  // namespace petitiond::http
