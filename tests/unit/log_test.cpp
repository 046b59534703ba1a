#include <spdlog/sinks/ostream_sink.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <sstream>

#include "server/logging/log.hpp"

using namespace petitiond;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("JSON log lines are valid JSON and carry the request id when logged for a request") {
  std::ostringstream out;
  log::setup(log::Format::json, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  spdlog::info("plain \"quoted\" line\twith tab and 中文");
  log::info("abc123", "GET {} {}", "/healthz", 200);
  spdlog::debug("below the level");
  auto logged = lines(out.str());
  REQUIRE(logged.size() == 2);

  auto first = boost::json::parse(logged[0]).as_object();
  CHECK(first.at("level").as_string() == "info");
  CHECK(first.at("msg").as_string() == "plain \"quoted\" line\twith tab and 中文");
  CHECK_FALSE(first.contains("request_id"));
  CHECK(first.at("ts").as_string().size() >= 23);

  auto second = boost::json::parse(logged[1]).as_object();
  CHECK(second.at("request_id").as_string() == "abc123");
  CHECK(second.at("msg").as_string() == "GET /healthz 200");
}

TEST_CASE("journal log lines lead with their syslog priority and carry no timestamp") {
  std::ostringstream out;
  log::setup(log::Format::journal, "debug", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  spdlog::debug("detail");
  spdlog::info("listening");
  log::warn("r-7", "slow: {}", 2);
  spdlog::error("failed");
  spdlog::critical("down");
  auto logged = lines(out.str());
  REQUIRE(logged.size() == 5);
  CHECK(logged[0] == "<7>debug detail");
  CHECK(logged[1] == "<6>info listening");
  CHECK(logged[2] == "<4>warning [req r-7] slow: 2");
  CHECK(logged[3] == "<3>error failed");
  CHECK(logged[4] == "<2>critical down");
}

TEST_CASE("text log lines show the request id") {
  std::ostringstream out;
  log::setup(log::Format::text, "info", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  log::warn("r-9", "slow: {}", 3);
  spdlog::info("no request");
  auto logged = lines(out.str());
  REQUIRE(logged.size() == 2);
  CHECK_THAT(logged[0], Catch::Matchers::Contains("[req r-9] slow: 3"));
  CHECK_THAT(logged[1], !Catch::Matchers::Contains("[req"));
}

TEST_CASE("an unknown log level is refused") {
  CHECK_THROWS_AS(log::setup(log::Format::text, "loud"), std::invalid_argument);
}
