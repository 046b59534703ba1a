#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/url_view.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/roles.hpp"

namespace petitiond::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using Request = beast::http::request<beast::http::string_body>;
using Response = beast::http::response<beast::http::string_body>;
using Status = beast::http::status;
using Verb = beast::http::verb;

// Where a streaming response (server-sent events) writes after its header has gone out.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Writes `chunk` to the client; false once the client is gone or the write timed out.
  virtual asio::awaitable<bool> send(std::string_view chunk) = 0;
  // True once the server is shutting down: the stream should end.
  virtual bool stopping() const = 0;
};
using EventStream = std::function<asio::awaitable<void>(EventSink&)>;

// What a handler gets: the request, its id, the parsed target and the route's path parameters.
struct RequestContext {
  const Request& request;
  std::string_view request_id;
  boost::urls::url_view url;
  std::string_view route;  // the matched pattern, e.g. "/api/v1/petitions/{id}"
  std::vector<std::pair<std::string, std::string>> params;
  std::string remote_address;  // the client's IP address
  bool secure = false;         // arrived over TLS
  std::optional<Actor> actor;  // set on routes that require authentication
  EventStream stream;          // set by a handler whose response is an event stream

  // A path parameter by name; empty when absent.
  std::string_view param(std::string_view name) const {
    for (const auto& [key, value] : params)
      if (key == name) return value;
    return {};
  }
};

using Handler = std::function<asio::awaitable<Response>(RequestContext&)>;

// Who may call a route. Checked before the handler runs; jurisdiction (which records) is the store's job.
struct Access {
  bool authenticated = true;
  RoleSet roles;               // empty: any authenticated user
  std::optional<Scope> scope;  // what an API token needs; default: read for GET/HEAD, write otherwise

  static Access anyone() { return {false, {}, {}}; }
  static Access users() { return {true, {}, {}}; }
  static Access only(RoleSet roles) { return {true, roles, {}}; }
  static Access token_scope(Scope scope) { return {true, {}, scope}; }
};

}  // namespace petitiond::http
