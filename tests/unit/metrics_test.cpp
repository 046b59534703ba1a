#include <catch2/catch.hpp>

#include "server/http/metrics.hpp"

using namespace petitiond::http;
using Catch::Matchers::Contains;

TEST_CASE("request latencies render as cumulative Prometheus histograms by route, method and status") {
  Metrics metrics;
  metrics.observe("/healthz", Verb::get, 200, 0.0004);
  metrics.observe("/healthz", Verb::get, 200, 0.003);
  metrics.observe("/healthz", Verb::get, 200, 9.0);
  metrics.observe("unmatched", Verb::post, 404, 0.0001);
  auto text = metrics.render();
  CHECK_THAT(text, Contains("# TYPE petitiond_http_request_duration_seconds histogram"));
  const std::string labels = "route=\"/healthz\",method=\"GET\",status=\"200\"";
  CHECK_THAT(text, Contains("petitiond_http_request_duration_seconds_bucket{" + labels + ",le=\"0.0005\"} 1\n"));
  CHECK_THAT(text, Contains("petitiond_http_request_duration_seconds_bucket{" + labels + ",le=\"0.0025\"} 1\n"));
  CHECK_THAT(text, Contains("petitiond_http_request_duration_seconds_bucket{" + labels + ",le=\"0.005\"} 2\n"));
  CHECK_THAT(text, Contains("petitiond_http_request_duration_seconds_bucket{" + labels + ",le=\"5\"} 2\n"));
  CHECK_THAT(text, Contains("petitiond_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 3\n"));
  CHECK_THAT(text, Contains("petitiond_http_request_duration_seconds_count{" + labels + "} 3\n"));
  CHECK_THAT(text, Contains("route=\"unmatched\",method=\"POST\",status=\"404\""));
}

TEST_CASE("gauges are read when scraped") {
  Metrics metrics;
  double value = 1;
  metrics.add_gauge("petitiond_db_pool_in_use", "Connections lent.", [&value] { return value; });
  CHECK_THAT(metrics.render(), Contains("# TYPE petitiond_db_pool_in_use gauge\npetitiond_db_pool_in_use 1\n"));
  value = 7;
  CHECK_THAT(metrics.render(), Contains("petitiond_db_pool_in_use 7\n"));
}

TEST_CASE("label values are escaped") {
  Metrics metrics;
  metrics.observe("/a\"b\\c", Verb::get, 200, 0.1);
  CHECK_THAT(metrics.render(), Contains("route=\"/a\\\"b\\\\c\""));
}
