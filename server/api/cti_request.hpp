#pragma once
// The fields of a telephone system's event in every shape Zammad's generic CTI accepts: JSON, form data
// (`user[]=…` with or without escaped brackets), multipart form data, and parameters in the URL query, the
// body's winning over the query's. Media types are matched case-insensitively.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/http/types.hpp"

namespace petitiond::api {

using CtiFields = std::map<std::string, std::vector<std::string>>;

// The longest callId Zammad documents; other values may be up to `max_cti_value` characters.
inline constexpr std::size_t max_call_id = 250;
inline constexpr std::size_t max_cti_value = 200;

struct CtiRequest {
  std::optional<CtiFields> fields;  // nullopt: neither the body nor the query carried fields
  std::string refused;              // the field that holds a NUL, a control character, invalid UTF-8 or too much
};

CtiRequest cti_request(const http::RequestContext& context);

std::optional<std::string> first(const CtiFields& fields, const char* name);
std::vector<std::string> all(const CtiFields& fields, const char* name);

}  // namespace petitiond::api
