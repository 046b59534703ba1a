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
// The same over TLS, without verifying the server's certificate.
HttpReply https_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body = {}, const std::map<std::string, std::string>& headers = {});

// A logged-in browser-like client: keeps the session cookie and sends the CSRF token on writes.
class Session {
 public:
  // Logs in; throws when the log-in fails.
  Session(unsigned short port, const std::string& login, const std::string& password);
  HttpReply get(const std::string& target) const;
  // Any method; JSON body; the CSRF token is sent unless `with_csrf` is false.
  HttpReply send(const std::string& method, const std::string& target, const std::string& json_body = "{}",
                 bool with_csrf = true) const;
  // Any method, body and extra headers (Content-Type defaults to JSON); cookie and CSRF token added.
  HttpReply request(const std::string& method, const std::string& target, const std::string& body,
                    std::map<std::string, std::string> headers) const;
  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }
  std::int64_t user_id() const { return user_id_; }

 private:
  unsigned short port_;
  std::string cookie_, csrf_;
  std::int64_t user_id_ = 0;
};

// A gauge or counter from GET /metrics; -100 when the metric is not there.
double metric(unsigned short port, const std::string& name);

// POST /api/v1/auth/login; the raw reply.
HttpReply login(unsigned short port, const std::string& login, const std::string& password);

// A raw TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  // Connects from `source` (another loopback address, such as 127.0.0.2, acts as another client's).
  explicit RawConnection(unsigned short port, const std::string& source = "");
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
