#pragma once
#include <boost/json/value.hpp>

#include "server/http/types.hpp"

namespace petitiond::http {

Response json_response(Status status, const boost::json::value& body);
Response text_response(Status status, std::string body, std::string_view content_type);

// Headers every response carries, unless its handler chose its own: no sniffing, no referrer leaving the
// site, no caching (responses carry personal data; static assets set their own), a content security policy
// that forbids framing on HTML, and HSTS over TLS.
void add_security_headers(Response& response, bool secure);

}  // namespace petitiond::http
