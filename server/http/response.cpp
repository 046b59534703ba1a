#include "server/http/response.hpp"

#include <boost/json/serialize.hpp>

namespace petitiond::http {

Response json_response(Status status, const boost::json::value& body) {
  return text_response(status, boost::json::serialize(body), "application/json; charset=utf-8");
}

Response text_response(Status status, std::string body, std::string_view content_type) {
  Response response(status, 11);
  response.set(beast::http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

void add_security_headers(Response& response, bool secure) {
  response.set("X-Content-Type-Options", "nosniff");
  if (response.find("Referrer-Policy") == response.end()) response.set("Referrer-Policy", "same-origin");
  if (response.find(beast::http::field::cache_control) == response.end())
    response.set(beast::http::field::cache_control, "no-store");
  const auto type = response[beast::http::field::content_type];
  if (type.starts_with("text/html") && response.find("Content-Security-Policy") == response.end())
    // Server-made pages (the printable receipt): their own inline style, nothing else, never in a frame.
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
                 "base-uri 'none'; form-action 'none'");
  if (secure) response.set(beast::http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
}

}  // namespace petitiond::http
