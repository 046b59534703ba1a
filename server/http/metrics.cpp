#include "server/http/metrics.hpp"

#include <fmt/format.h>

namespace petitiond::http {
namespace {

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::observe(std::string_view route, Verb method, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  auto& histogram = histograms_[{std::string(route), method, status}];
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (seconds <= buckets[i]) {
      ++histogram.counts[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  fmt::memory_buffer out;
  auto to = std::back_inserter(out);
  fmt::format_to(
      to,
      "# HELP petitiond_http_request_duration_seconds Time from a request's last byte read to its response written.\n");
  fmt::format_to(to, "# TYPE petitiond_http_request_duration_seconds histogram\n");
  for (const auto& [key, histogram] : histograms_) {
    const auto& [route, method, status] = key;
    auto labels = fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"", escape_label(route),
                              std::string_view(beast::http::to_string(method)), status);
    std::uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
      cumulative += histogram.counts[i];
      fmt::format_to(to, "petitiond_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, buckets[i],
                     cumulative);
    }
    fmt::format_to(to, "petitiond_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                   histogram.count);
    fmt::format_to(to, "petitiond_http_request_duration_seconds_sum{{{}}} {}\n", labels, histogram.sum);
    fmt::format_to(to, "petitiond_http_request_duration_seconds_count{{{}}} {}\n", labels, histogram.count);
  }
  for (const auto& gauge : gauges_) {
    fmt::format_to(to, "# HELP {} {}\n# TYPE {} gauge\n{} {}\n", gauge.name, gauge.help, gauge.name, gauge.name,
                   gauge.read());
  }
  return fmt::to_string(out);
}

}  // namespace petitiond::http
