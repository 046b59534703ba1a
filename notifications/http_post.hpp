#pragma once
// One HTTP POST through libcurl, blocking: run it on a worker thread. Used by the SMS gateway and webhook
// channels.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace petitiond::notifications {

struct HttpPostResult {
  long status = 0;    // 0 when no response came (connection refused, timeout)
  std::string error;  // the transport error, if any
  std::string body;   // the first 4 KiB of the response
};

HttpPostResult http_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, std::chrono::milliseconds timeout);

}  // namespace petitiond::notifications
