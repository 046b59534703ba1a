#include "server/http/http_server.hpp"

#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/http/error_mapping.hpp"
#include "server/http/request_id.hpp"
#include "server/logging/log.hpp"

namespace petitiond::http {

using asio::awaitable;
using asio::ip::tcp;
namespace bhttp = beast::http;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);

// What shutdown() needs to know about a live connection. Touched only on the connection's strand,
// except for the list membership, which the server's mutex guards.
struct HttpServer::Connection {
  explicit Connection(tcp::socket socket) : transport(std::move(socket)) {}
  beast::tcp_stream transport;  // the TCP layer, under TLS when it is on
  bool idle = true;             // waiting for the first byte of a request
};

HttpServer::HttpServer(asio::io_context& io, HttpOptions options, const Router& router, Metrics& metrics,
                       Authenticator* authenticator, std::shared_ptr<asio::ssl::context> tls,
                       const TrustedProxies* proxies)
    : io_(io),
      options_(options),
      router_(router),
      metrics_(metrics),
      authenticator_(authenticator),
      tls_(std::move(tls)),
      proxies_(proxies) {
  metrics_.add_gauge("petitiond_http_open_connections", "Client connections currently open.",
                     [this] { return static_cast<double>(open_connections()); });
}

HttpServer::~HttpServer() = default;

tcp::endpoint HttpServer::listen(const tcp::endpoint& endpoint) {
  acceptor_.emplace(asio::make_strand(io_));
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  acceptor_->bind(endpoint);
  acceptor_->listen(asio::socket_base::max_listen_connections);
  return acceptor_->local_endpoint();
}

void HttpServer::start() { asio::co_spawn(acceptor_->get_executor(), accept_loop(), asio::detached); }

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void HttpServer::shutdown() {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_->get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  });
  std::lock_guard lock(mutex_);
  for (const auto& connection : connections_) {
    asio::post(connection->transport.get_executor(), [connection] {
      if (connection->idle) connection->transport.cancel();
    });
  }
}

awaitable<void> HttpServer::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_->async_accept(asio::make_strand(io_), as_tuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());  // e.g. out of file descriptors: go on
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_connection(std::move(socket)), asio::detached);
  }
}

awaitable<void> HttpServer::run_connection(tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto connection = std::make_shared<Connection>(std::move(socket));
  std::list<std::shared_ptr<Connection>>::iterator position;
  {
    std::lock_guard lock(mutex_);
    position = connections_.insert(connections_.end(), connection);
  }
  try {
    if (tls_) {
      beast::ssl_stream<beast::tcp_stream&> stream(connection->transport, *tls_);
      connection->transport.expires_after(options_.read_timeout);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, as_tuple);
      if (!ec) {
        co_await serve(*connection, stream);
        connection->transport.expires_after(std::chrono::seconds(1));
        co_await stream.async_shutdown(as_tuple);  // close_notify; a client that vanished is not waited for
      }
    } else {
      co_await serve(*connection, connection->transport);
    }
  } catch (const std::exception& e) {
    spdlog::error("connection ended by an unexpected error: {}", e.what());
  }
  connection->transport.socket().shutdown(tcp::socket::shutdown_send, ignored);
  connection->transport.close();
  std::lock_guard lock(mutex_);
  connections_.erase(position);
}

// Every X-Forwarded-For line, in order, as one list: a proxy may add a line instead of appending to one.
static std::string forwarded_for(const Request& request) {
  std::string all;
  for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it)
    all += (all.empty() ? "" : ", ") + std::string(it->value());
  return all;
}

template <typename Stream>
awaitable<void> HttpServer::serve(Connection& connection, Stream& stream) {
  auto& tcp_stream = connection.transport;
  boost::system::error_code address_ec;
  const auto remote = tcp_stream.socket().remote_endpoint(address_ec);
  const std::string remote_address = address_ec ? std::string() : remote.address().to_string();
  beast::flat_buffer buffer;
  for (;;) {
    connection.idle = true;
    if (stopping_) co_return;
    if (buffer.size() == 0) {
      tcp_stream.expires_after(options_.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), as_tuple);
      if (ec) co_return;  // closed by the client, idle timeout, or shutdown
      buffer.commit(n);
    }
    connection.idle = false;

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    // The body limit depends on the route (attachments take more), known once the header is in; Beast
    // checks a declared Content-Length against it only while parsing the header, so that is redone here.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    tcp_stream.expires_after(options_.read_timeout);
    auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, as_tuple);
    boost::system::error_code ec = header_ec;
    std::size_t body_limit = options_.body_limit;
    if (!ec) {
      body_limit = body_limit_for(parser.get());
      parser.body_limit(body_limit);
      if (parser.content_length() && *parser.content_length() > body_limit) ec = bhttp::error::body_limit;
    }
    if (!ec && parser.get()[bhttp::field::expect] == "100-continue" && !parser.is_done()) {
      bhttp::response<bhttp::empty_body> go_on(Status::continue_, 11);
      auto [write_ec, written] = co_await bhttp::async_write(stream, go_on, as_tuple);
      if (write_ec) co_return;
    }
    if (!ec) {
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, as_tuple);
      ec = body_ec;
    }

    Response response;
    EventStream events;
    bool keep_alive = false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      co_return;  // nothing useful can be said to this client
    } else if (ec == bhttp::error::body_limit) {
      response = error_response(
          ProtocolError(Status::payload_too_large, "request body exceeds " + std::to_string(body_limit) + " bytes"));
    } else if (ec == bhttp::error::header_limit) {
      response =
          error_response(ProtocolError(Status::request_header_fields_too_large,
                                       "request headers exceed " + std::to_string(options_.header_limit) + " bytes"));
    } else if (ec) {
      response = error_response(ProtocolError(Status::bad_request, "malformed HTTP request: " + ec.message()));
    } else {
      const auto& request = parser.get();
      std::string request_id(request["X-Request-Id"]);
      if (!acceptable_request_id(request_id)) request_id = next_request_id();
      const auto client = proxies_ ? proxies_->client_address(remote_address, forwarded_for(request)) : remote_address;
      response = co_await dispatch(request, std::move(request_id), client, tls_ != nullptr, &events);
      keep_alive = request.keep_alive() && !stopping_;
    }
    if (events && response.result() == Status::ok) {
      co_await run_event_stream(connection, stream, response, std::move(events));
      co_return;
    }
    if (!keep_alive && response["X-Request-Id"].empty()) {
      response.set("X-Request-Id", next_request_id());
      response.prepare_payload();
    }
    response.keep_alive(keep_alive);
    tcp_stream.expires_after(options_.write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, response, as_tuple);
    if (write_ec || !keep_alive) co_return;
  }
}

namespace {

template <typename Stream>
class StreamSink final : public EventSink {
 public:
  StreamSink(Stream& stream, beast::tcp_stream& transport, std::chrono::milliseconds write_timeout,
             const std::atomic<bool>& stopping)
      : stream_(stream), transport_(transport), write_timeout_(write_timeout), stopping_(stopping) {}

  awaitable<bool> send(std::string_view chunk) override {
    transport_.expires_after(write_timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(chunk.data(), chunk.size()), as_tuple);
    transport_.expires_never();
    co_return !ec;
  }
  bool stopping() const override { return stopping_; }

 private:
  Stream& stream_;
  beast::tcp_stream& transport_;
  std::chrono::milliseconds write_timeout_;
  const std::atomic<bool>& stopping_;
};

}  // namespace

// The header of an event stream goes out without a length: the body is the events, until either side
// closes the connection.
template <typename Stream>
awaitable<void> HttpServer::run_event_stream(Connection& connection, Stream& stream, Response& response,
                                             EventStream events) {
  bhttp::response<bhttp::empty_body> head(response.result(), 11);
  for (const auto& field : response.base())
    if (field.name() != bhttp::field::content_length) head.set(field.name_string(), field.value());
  head.set(bhttp::field::cache_control, "no-cache");
  head.set(bhttp::field::connection, "close");
  bhttp::response_serializer<bhttp::empty_body> serializer(head);
  connection.transport.expires_after(options_.write_timeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, as_tuple);
  connection.transport.expires_never();
  if (ec) co_return;
  StreamSink<Stream> sink(stream, connection.transport, options_.write_timeout, stopping_);
  try {
    co_await events(sink);
  } catch (const std::exception& e) {
    spdlog::warn("event stream ended by an error: {}", e.what());
  }
}

}  // namespace petitiond::http
