#pragma once
// Blocking HTTP helpers for tests: a well-formed request through Beast, and a raw socket for
// malformed or deliberately slow clients.
#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <string>

namespace petitiond::test {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const;
  boost::json::value json() const;  // throws when the body is not JSON
};

HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::string& body = {}, const std::map<std::string, std::string>& headers = {});

// A raw TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Returns false when the peer has closed the connection.
  bool send(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes; returns what arrived.
  std::string read_until_closed(std::chrono::milliseconds timeout);
  // Reads until `marker` appears (or close / timeout).
  std::string read_until(const std::string& marker, std::chrono::milliseconds timeout);
  // True when the server closes the connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string pending_;
};

}  // namespace petitiond::test
