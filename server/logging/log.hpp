#pragma once
// Logging through spdlog, as readable text or JSON lines. Log calls made on behalf of a request carry
// its id, which appears in the line (text: [req …], JSON: "request_id"). Never log personal data:
// no bodies, no query strings, no phone or ID numbers.
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace petitiond::log {

// journal: text without a timestamp (the journal stamps each line), each line led by its syslog priority
// ("<6>"), which systemd-journald reads as the line's level.
enum class Format { text, json, journal };

// Replaces the default logger, writing to `sink` (default: stderr). Throws std::invalid_argument for an
// unknown level name.
void setup(Format format, const std::string& level, spdlog::sink_ptr sink = nullptr);

// Sets the request id that lines logged on this thread carry until destroyed. Logging is synchronous,
// so the scope only needs to span the log call itself.
class RequestScope {
 public:
  explicit RequestScope(std::string_view request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string_view previous_;
};

template <typename... Args>
void info(std::string_view request_id, fmt::format_string<Args...> format, Args&&... args) {
  RequestScope scope(request_id);
  spdlog::info(format, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(std::string_view request_id, fmt::format_string<Args...> format, Args&&... args) {
  RequestScope scope(request_id);
  spdlog::warn(format, std::forward<Args>(args)...);
}
template <typename... Args>
void error(std::string_view request_id, fmt::format_string<Args...> format, Args&&... args) {
  RequestScope scope(request_id);
  spdlog::error(format, std::forward<Args>(args)...);
}

}  // namespace petitiond::log
