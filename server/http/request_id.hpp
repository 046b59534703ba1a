#pragma once
#include <string>

namespace petitiond::http {

// A new request id: 16 hex digits, unique within the process and unlikely to collide across processes.
std::string next_request_id();

// Accepts a client's X-Request-Id when it is short and plain (letters, digits, '-', '_', '.').
bool acceptable_request_id(std::string_view id);

}  // namespace petitiond::http
