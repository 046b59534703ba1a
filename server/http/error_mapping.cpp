#include "server/http/error_mapping.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "server/http/response.hpp"
#include "server/logging/log.hpp"

namespace petitiond::http {

Status status_for(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_field: return Status::unprocessable_entity;
    case Errc::not_found: return Status::not_found;
    case Errc::conflict: return Status::conflict;
    case Errc::unauthorized: return Status::unauthorized;
    case Errc::forbidden: return Status::forbidden;
    case Errc::rate_limited: return Status::too_many_requests;
    case Errc::unavailable: return Status::service_unavailable;
    case Errc::timeout: return Status::service_unavailable;
    case Errc::insufficient_storage: return Status::insufficient_storage;
    case Errc::internal: return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

namespace {

Response error_body(Status status, const char* code, const std::string& message, const std::string& field,
                    const std::vector<ErrorProblem>& problems = {}) {
  boost::json::object inner;
  inner["code"] = code;
  inner["message"] = message;
  if (field.empty()) inner["field"] = nullptr;
  else inner["field"] = field;
  if (!problems.empty()) {
    boost::json::array list;
    for (const auto& p : problems)
      list.push_back({{"message", p.message},
                      {"field", p.field.empty() ? boost::json::value(nullptr) : boost::json::value(p.field)},
                      {"line", p.line > 0 ? boost::json::value(p.line) : boost::json::value(nullptr)}});
    inner["problems"] = std::move(list);
  }
  boost::json::object body;
  body["error"] = std::move(inner);
  return json_response(status, body);
}

const char* protocol_code(Status status) noexcept {
  switch (status) {
    case Status::method_not_allowed: return "method_not_allowed";
    case Status::payload_too_large: return "payload_too_large";
    case Status::request_header_fields_too_large: return "headers_too_large";
    case Status::unsupported_media_type: return "unsupported_media_type";
    default: return "bad_request";
  }
}

}  // namespace

Response error_response(const Error& error) {
  auto response =
      error_body(status_for(error.errc()), code_name(error.errc()), error.message(), error.field(), error.problems());
  if (error.errc() == Errc::unavailable || error.errc() == Errc::timeout)
    response.set(beast::http::field::retry_after, "1");
  // Every 429 says when to come back: the limit's own window when known, else a minute.
  if (error.errc() == Errc::rate_limited)
    response.set(beast::http::field::retry_after,
                 std::to_string(error.retry_after().count() > 0 ? error.retry_after().count() : 60));
  return response;
}

Response error_response(const ProtocolError& error) {
  return error_body(error.status(), protocol_code(error.status()), error.what(), {});
}

namespace {

std::string plain_message(Errc code) {
  switch (code) {
    case Errc::timeout: return "the service did not answer in time; try again shortly";
    case Errc::insufficient_storage: return "the server has no room to store this; tell the administrator";
    default: return "the service is unavailable right now; try again shortly";
  }
}

}  // namespace

Response error_response(std::exception_ptr failure, std::string_view request_id) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& error) {
    if (error.errc() == Errc::internal) {
      log::error(request_id, "internal error: {}", error.message());
      return error_response(Error(Errc::internal, "internal error; the request id identifies it in the server log"));
    }
    if (error.errc() == Errc::unavailable || error.errc() == Errc::timeout ||
        error.errc() == Errc::insufficient_storage) {
      // The detail (libpq's text with a socket path or host and port, an OS error with a directory) is for
      // the log; the client gets a plain message and the request id to quote.
      log::warn(request_id, "{}: {}", code_name(error.errc()), error.message());
      return error_response(
          Error(error.errc(), plain_message(error.errc()) + "; request id " + std::string(request_id)));
    }
    return error_response(error);
  } catch (const ProtocolError& error) {
    return error_response(error);
  } catch (const std::exception& e) {
    log::error(request_id, "unhandled exception: {}", e.what());
  } catch (...) {
    log::error(request_id, "unhandled non-standard exception");
  }
  return error_response(Error(Errc::internal, "internal error; the request id identifies it in the server log"));
}

}  // namespace petitiond::http
