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

// With `public_only`, a connection to an address is_private_address() refuses is never opened: the check is
// made on the address the name resolved to, at connect time, so DNS cannot point it elsewhere later.
HttpPostResult http_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, std::chrono::milliseconds timeout, bool public_only = false);

}  // namespace petitiond::notifications
