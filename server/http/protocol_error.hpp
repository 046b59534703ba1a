#pragma once
// A failure of the HTTP exchange itself, not of the domain: a malformed request or body, a method the route
// does not take, a size over the limit, a media type it does not read. Answered with its status by
// error_mapping.cpp, in the same body shape as domain errors; its code names the status.
#include <stdexcept>
#include <string>

#include "server/http/types.hpp"

namespace petitiond::http {

class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

}  // namespace petitiond::http
