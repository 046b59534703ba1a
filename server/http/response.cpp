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

}  // namespace petitiond::http
