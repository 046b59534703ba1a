#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "server/http/error_mapping.hpp"
#include "server/pg/error.hpp"

using namespace petitiond;
using http::Status;

TEST_CASE("every domain error code maps to its HTTP status") {
  auto [code, status] = GENERATE(table<Errc, Status>({
      {Errc::invalid_field, Status::unprocessable_entity},
      {Errc::not_found, Status::not_found},
      {Errc::conflict, Status::conflict},
      {Errc::unauthorized, Status::unauthorized},
      {Errc::forbidden, Status::forbidden},
      {Errc::rate_limited, Status::too_many_requests},
      {Errc::unavailable, Status::service_unavailable},
      {Errc::timeout, Status::service_unavailable},
      {Errc::insufficient_storage, Status::insufficient_storage},
      {Errc::internal, Status::internal_server_error},
  }));
  CHECK(http::status_for(code) == status);
  auto response = http::error_response(Error(code, "why"));
  CHECK(response.result() == status);
  auto body = boost::json::parse(response.body()).as_object();
  CHECK(body.at("error").at("code").as_string() == code_name(code));
}

TEST_CASE("failures of the HTTP exchange answer with their status and a code naming it, in the same shape") {
  auto [status, code] = GENERATE(table<Status, std::string>({
      {Status::bad_request, "bad_request"},
      {Status::method_not_allowed, "method_not_allowed"},
      {Status::payload_too_large, "payload_too_large"},
      {Status::request_header_fields_too_large, "headers_too_large"},
      {Status::unsupported_media_type, "unsupported_media_type"},
  }));
  auto response = http::error_response(http::ProtocolError(status, "why"));
  CHECK(response.result() == status);
  auto error = boost::json::parse(response.body()).at("error").as_object();
  CHECK(error.at("code").as_string() == code);
  CHECK(error.at("message").as_string() == "why");
  CHECK(error.at("field").is_null());
  // Escaping a handler, it is answered the same way.
  auto escaped = http::error_response(std::make_exception_ptr(http::ProtocolError(status, "why")), "r1");
  CHECK(escaped.result() == status);
}

TEST_CASE("error bodies have one shape, with the field at fault or null") {
  auto response = http::error_response(Error(Errc::invalid_field, "must be 18 characters", "id_number"));
  auto error = boost::json::parse(response.body()).at("error").as_object();
  CHECK(error.at("code").as_string() == "invalid_field");
  CHECK(error.at("message").as_string() == "must be 18 characters");
  CHECK(error.at("field").as_string() == "id_number");
  CHECK(response[boost::beast::http::field::content_type] == "application/json; charset=utf-8");

  auto plain = boost::json::parse(http::error_response(Error(Errc::not_found, "gone")).body()).at("error").as_object();
  CHECK(plain.at("field").is_null());
  CHECK(plain.size() == 3);
}

TEST_CASE("unexpected exceptions become a 500 that reveals nothing internal") {
  auto response = http::error_response(std::make_exception_ptr(std::runtime_error("secret table layout")), "req-1");
  CHECK(response.result() == Status::internal_server_error);
  CHECK(response.body().find("secret") == std::string::npos);

  auto internal = http::error_response(std::make_exception_ptr(Error(Errc::internal, "password=hunter2")), "req-2");
  CHECK(internal.result() == Status::internal_server_error);
  CHECK(internal.body().find("hunter2") == std::string::npos);
}

TEST_CASE("unavailable dependencies ask clients to retry") {
  auto response = http::error_response(std::make_exception_ptr(Error(Errc::unavailable, "database down")), "r");
  CHECK(response.result() == Status::service_unavailable);
  CHECK(response[boost::beast::http::field::retry_after] == "1");
}

TEST_CASE("SQLSTATEs map to domain codes") {
  CHECK(pg::errc_for_sqlstate("23505") == Errc::conflict);
  CHECK(pg::errc_for_sqlstate("40001") == Errc::conflict);
  CHECK(pg::errc_for_sqlstate("40P01") == Errc::conflict);
  CHECK(pg::errc_for_sqlstate("57014") == Errc::timeout);
  CHECK(pg::errc_for_sqlstate("57P01") == Errc::unavailable);
  CHECK(pg::errc_for_sqlstate("08006") == Errc::unavailable);
  CHECK(pg::errc_for_sqlstate("42P01") == Errc::internal);
  CHECK(pg::errc_for_sqlstate("") == Errc::internal);
}
