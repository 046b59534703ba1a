// Routing one request to its handler, and what every response carries: request id, metrics, access log.
#include <boost/url/parse.hpp>

#include "server/http/error_mapping.hpp"
#include "server/http/http_server.hpp"
#include "server/http/response.hpp"
#include "server/logging/log.hpp"

namespace petitiond::http {

namespace bhttp = beast::http;

namespace {

std::string allowed_list(const std::vector<Verb>& verbs) {
  std::string out;
  for (auto verb : verbs) {
    if (!out.empty()) out += ", ";
    out += std::string_view(bhttp::to_string(verb));
    if (verb == Verb::get) out += ", HEAD";
  }
  return out;
}

// The target with each byte a URL may not hold unescaped percent-encoded ('%' stays: a broken escape is
// still refused). Printable ASCII such as '[', ']', '|', '{', '}' and bytes beyond ASCII.
std::string escaped_target(std::string_view target) {
  static constexpr std::string_view allowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%";
  std::string out;
  out.reserve(target.size());
  for (unsigned char c : target) {
    if (allowed.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::size_t HttpServer::body_limit_for(const Request& request) const {
  const std::string repaired = escaped_target(request.target());
  auto target = boost::urls::parse_origin_form(repaired);
  if (!target) return options_.body_limit;
  std::vector<std::string> segments;
  for (auto segment : target->segments()) segments.push_back(segment);
  auto match = router_.match(request.method(), segments);
  return match.route && match.route->body_limit ? match.route->body_limit : options_.body_limit;
}

asio::awaitable<void> HttpServer::check_access(const Route& route, RequestContext& context) {
  if (!route.access.authenticated) co_return;
  if (authenticator_) context.actor = co_await authenticator_->authenticate(context.request);
  if (!context.actor) throw Error(Errc::unauthorized, "log in first: no valid session or API token");
  auto denial = access_denial(route, context.request, *context.actor);
  if (denial.empty()) co_return;
  co_await authenticator_->record_denial(context, denial);
  throw Error(Errc::forbidden, denial);
}

asio::awaitable<Response> HttpServer::dispatch(const Request& request, std::string request_id,
                                               std::string remote_address, bool secure, EventStream* stream) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view route = "unmatched";
  Response response;

  // Telephone systems and form posts send query strings with unescaped brackets (`user[]=…`): those
  // characters are escaped before the target is read, as rack and most servers accept them.
  const std::string repaired = escaped_target(request.target());
  auto target = boost::urls::parse_origin_form(repaired);
  if (!target) {
    response = error_response(ProtocolError(Status::bad_request, "the request target is not a valid path and query"));
  } else {
    std::vector<std::string> segments;
    for (auto segment : target->segments()) segments.push_back(segment);
    auto match = router_.match(request.method(), segments);
    if (match.route) {
      route = match.route->pattern;
      RequestContext context{request, request_id,   *target, route, std::move(match.params), std::move(remote_address),
                             secure,  std::nullopt, {}};
      try {
        co_await check_access(*match.route, context);
        response = co_await match.route->handler(context);
        if (context.stream && stream) *stream = std::move(context.stream);
      } catch (...) {
        response = error_response(std::current_exception(), request_id);
      }
    } else if (!match.allowed.empty()) {
      auto allowed = allowed_list(match.allowed);
      response = error_response(ProtocolError(
          Status::method_not_allowed, std::string(request.method_string()) + " is not allowed here; use " + allowed));
      response.set(bhttp::field::allow, allowed);
    } else if (router_.fallback() && (request.method() == Verb::get || request.method() == Verb::head) &&
               !target->path().starts_with("/api/")) {
      route = "web app";
      RequestContext context{request, request_id,   *target, route, {}, std::move(remote_address),
                             secure,  std::nullopt, {}};
      try {
        response = co_await router_.fallback()(context);
      } catch (...) {
        response = error_response(std::current_exception(), request_id);
      }
    } else {
      response = error_response(Error(Errc::not_found, "no such resource"));
    }
  }

  response.set(bhttp::field::server, "petitiond");
  response.set("X-Request-Id", request_id);
  add_security_headers(response, secure);
  response.prepare_payload();
  if (request.method() == Verb::head) response.body().clear();  // Content-Length stays that of GET

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const unsigned status = response.result_int();
  metrics_.observe(route, request.method(), status, seconds);
  // The route pattern, never the raw path: paths can hold phone or ID numbers.
  log::info(request_id, "{} {} {} {:.2f}ms", std::string_view(request.method_string()), route, status, seconds * 1000);
  co_return response;
}

}  // namespace petitiond::http
