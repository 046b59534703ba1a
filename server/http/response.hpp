#pragma once
#include <boost/json/value.hpp>

#include "server/http/types.hpp"

namespace petitiond::http {

Response json_response(Status status, const boost::json::value& body);
Response text_response(Status status, std::string body, std::string_view content_type);

}  // namespace petitiond::http
