#include "server/logging/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <stdexcept>

namespace petitiond::log {
namespace {

thread_local std::string_view current_request_id;

// %* in the text pattern: " [req <id>]" while a request scope is active.
class RequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    if (current_request_id.empty()) return;
    dest.append(std::string_view(" [req "));
    dest.append(current_request_id);
    dest.push_back(']');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdFlag>(); }
};

// %# in the journal pattern: the syslog priority of the line's level, as journald reads it ("<3>").
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    char priority = '6';
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug: priority = '7'; break;
      case spdlog::level::warn: priority = '4'; break;
      case spdlog::level::err: priority = '3'; break;
      case spdlog::level::critical: priority = '2'; break;
      default: break;
    }
    dest.push_back('<');
    dest.push_back(priority);
    dest.push_back('>');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<PriorityFlag>(); }
};

void append_json_string(spdlog::memory_buf_t& dest, std::string_view value) {
  auto quoted = boost::json::serialize(boost::json::string(value));
  dest.append(quoted.data(), quoted.data() + quoted.size());
}

// One JSON object per line: {"ts":"…","level":"info","request_id":"…","msg":"…"}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    timestamp_.format(msg, dest);  // writes {"ts":"…",
    dest.append(std::string_view(",\"level\":\""));
    auto level = spdlog::level::to_string_view(msg.level);
    dest.append(level.data(), level.data() + level.size());
    dest.push_back('"');
    if (!current_request_id.empty()) {
      dest.append(std::string_view(",\"request_id\":"));
      append_json_string(dest, current_request_id);
    }
    dest.append(std::string_view(",\"msg\":"));
    append_json_string(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(std::string_view("}\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

 private:
  spdlog::pattern_formatter timestamp_{"{\"ts\":\"%Y-%m-%dT%H:%M:%S.%e%z\"", spdlog::pattern_time_type::local, ""};
};

}  // namespace

RequestScope::RequestScope(std::string_view request_id) : previous_(current_request_id) {
  current_request_id = request_id;
}
RequestScope::~RequestScope() { current_request_id = previous_; }

void setup(Format format, const std::string& level, spdlog::sink_ptr sink) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") throw std::invalid_argument(level);
  auto logger = std::make_shared<spdlog::logger>(
      "petitiond", sink ? std::move(sink) : std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == Format::json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (format == Format::journal) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<PriorityFlag>('#').add_flag<RequestIdFlag>('*').set_pattern("%#%l%* %v");
    logger->set_formatter(std::move(formatter));
  } else {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<RequestIdFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$%* %v");
    logger->set_formatter(std::move(formatter));
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace petitiond::log
