#pragma once
// The HTTP/1.1 server: accepts connections and runs one coroutine per connection on its own strand.
// Each request gets a fresh parser with body and header limits and a read timeout; idle keep-alive
// connections time out. shutdown() stops accepting, closes idle connections and lets requests in
// flight finish (their connections then close).
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "server/http/access.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/http/trusted_proxies.hpp"

namespace petitiond::http {

struct HttpOptions {
  std::size_t body_limit = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds read_timeout{10'000};  // from a request's first byte to its last
  std::chrono::milliseconds idle_timeout{60'000};  // waiting for the next request on a kept-alive connection
  std::chrono::milliseconds write_timeout{10'000};
};

class HttpServer {
 public:
  // `authenticator` may be null when no route needs authentication; `tls` set serves HTTPS.
  // `proxies`, when given, names the reverse proxies whose X-Forwarded-For gives the client's address.
  HttpServer(asio::io_context& io, HttpOptions options, const Router& router, Metrics& metrics,
             Authenticator* authenticator = nullptr, std::shared_ptr<asio::ssl::context> tls = nullptr,
             const TrustedProxies* proxies = nullptr);
  ~HttpServer();

  // Binds and listens; returns the bound endpoint (port 0 picks a free port). Throws on failure.
  asio::ip::tcp::endpoint listen(const asio::ip::tcp::endpoint& endpoint);
  void start();
  void shutdown();

  std::size_t open_connections() const;
  bool stopping() const { return stopping_; }

  // Runs one request through routing and its handler; never throws. A handler that answers with an
  // event stream hands it over through `stream`.
  asio::awaitable<Response> dispatch(const Request& request, std::string request_id, std::string remote_address,
                                     bool secure, EventStream* stream = nullptr);

 private:
  struct Connection;
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> run_connection(asio::ip::tcp::socket socket);
  template <typename Stream>
  asio::awaitable<void> serve(Connection& connection, Stream& stream);
  asio::awaitable<void> check_access(const Route& route, RequestContext& context);
  std::size_t body_limit_for(const Request& request) const;
  template <typename Stream>
  asio::awaitable<void> run_event_stream(Connection& connection, Stream& stream, Response& head, EventStream events);

  asio::io_context& io_;
  HttpOptions options_;
  const Router& router_;
  Metrics& metrics_;
  Authenticator* authenticator_;
  std::shared_ptr<asio::ssl::context> tls_;
  const TrustedProxies* proxies_;
  std::optional<asio::ip::tcp::acceptor> acceptor_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Connection>> connections_;
};

}  // namespace petitiond::http
