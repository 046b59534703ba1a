#pragma once
// The one place where failures become HTTP responses:
// {"error":{"code":"…","message":"…","field":"…"|null}}.
#include <exception>

#include "server/http/protocol_error.hpp"
#include "server/http/types.hpp"
#include "core/error.hpp"

namespace petitiond::http {

Status status_for(Errc code) noexcept;

Response error_response(const Error& error);
Response error_response(const ProtocolError& error);

// For any exception escaping a handler. Unknown exceptions become a 500 whose body says nothing
// internal; they are logged with the request id.
Response error_response(std::exception_ptr failure, std::string_view request_id);

}  // namespace petitiond::http
