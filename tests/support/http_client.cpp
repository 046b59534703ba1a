#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace petitiond::test {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::asio::ip::tcp;

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

boost::json::value HttpReply::json() const { return boost::json::parse(body); }

namespace {

template <typename Stream>
HttpReply exchange(Stream& stream, const std::string& method, const std::string& target, const std::string& body,
                   const std::map<std::string, std::string>& headers) {
  bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(method), target, 11);
  request.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") request.prepare_payload();
  bhttp::write(stream, request);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  bhttp::read(stream, buffer, parser);
  HttpReply reply;
  reply.status = parser.get().result_int();
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = parser.get().body();
  return reply;
}

}  // namespace

HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::string& body, const std::map<std::string, std::string>& headers) {
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  auto reply = exchange(socket, method, target, body, headers);
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

HttpReply https_request(unsigned short port, const std::string& method, const std::string& target,
                        const std::string& body, const std::map<std::string, std::string>& headers) {
  boost::asio::io_context io;
  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_verify_mode(boost::asio::ssl::verify_none);
  beast::ssl_stream<tcp::socket> stream(io, tls);
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(boost::asio::ssl::stream_base::client);
  auto reply = exchange(stream, method, target, body, headers);
  boost::system::error_code ignored;
  stream.shutdown(ignored);
  return reply;
}

HttpReply login(unsigned short port, const std::string& login, const std::string& password) {
  boost::json::object body{{"login", login}, {"password", password}};
  return http_request(port, "POST", "/api/v1/auth/login", boost::json::serialize(body),
                      {{"Content-Type", "application/json"}});
}

Session::Session(unsigned short port, const std::string& name, const std::string& password) : port_(port) {
  auto reply = login(port, name, password);
  if (reply.status != 200) throw std::runtime_error("log-in of " + name + " failed: " + reply.body);
  auto set_cookie = reply.header("set-cookie");
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  auto json = reply.json();
  csrf_ = std::string(json.at("csrf_token").as_string());
  user_id_ = json.at("user").at("id").as_int64();
}

HttpReply Session::get(const std::string& target) const {
  return http_request(port_, "GET", target, "", {{"Cookie", cookie_}});
}

HttpReply Session::send(const std::string& method, const std::string& target, const std::string& json_body,
                        bool with_csrf) const {
  std::map<std::string, std::string> headers{{"Cookie", cookie_}, {"Content-Type", "application/json"}};
  if (with_csrf) headers["X-CSRF-Token"] = csrf_;
  return http_request(port_, method, target, method == "GET" || method == "DELETE" ? "" : json_body, headers);
}

HttpReply Session::request(const std::string& method, const std::string& target, const std::string& body,
                           std::map<std::string, std::string> headers) const {
  headers["Cookie"] = cookie_;
  headers["X-CSRF-Token"] = csrf_;
  if (!headers.count("Content-Type")) headers["Content-Type"] = "application/json";
  return http_request(port_, method, target, body, headers);
}

RawConnection::RawConnection(unsigned short port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
      throw std::runtime_error("cannot bind to " + source);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
}

RawConnection::~RawConnection() { ::close(fd_); }

bool RawConnection::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string RawConnection::read_until(const std::string& marker, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && (marker.empty() || pending_.find(marker) == std::string::npos)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      closed_ = true;
      break;
    }
    pending_.append(chunk, static_cast<size_t>(n));
  }
  return pending_;
}

std::string RawConnection::read_until_closed(std::chrono::milliseconds timeout) { return read_until({}, timeout); }

bool RawConnection::closed_within(std::chrono::milliseconds timeout) {
  read_until_closed(timeout);
  return closed_;
}

double metric(unsigned short port, const std::string& name) {
  const auto text = http_request(port, "GET", "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -100;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace petitiond::test
