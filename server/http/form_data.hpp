#pragma once
// Form data as telephone systems, Open311 clients and browsers send it: application/x-www-form-urlencoded
// (also with the unescaped brackets of `user[]=…` that curl --data and rack send) and multipart/form-data
// (curl --form). Fields keep their order; a name may repeat.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/types.hpp"

namespace petitiond::http {

struct FormField {
  std::string name;
  std::string value;
  std::optional<std::string> file_name;     // a file part of a multipart body
  std::optional<std::string> content_type;  // as the part declared it
};
using FormFields = std::vector<FormField>;

// The media type of a Content-Type value, lower-cased and without parameters: "Application/JSON; charset=x"
// is "application/json".
std::string media_type(std::string_view content_type);

// `name=value&…` with '+' for a space and %XX escapes; characters a URL may not hold unescaped are taken
// as themselves. nullopt when an escape is malformed (a '%' not followed by two hex digits).
std::optional<FormFields> urlencoded_fields(std::string_view text);

// The parts of a multipart/form-data body; nullopt when the boundary is missing or the body does not
// follow it, or a part has no name.
std::optional<FormFields> multipart_fields(std::string_view body, std::string_view content_type);

// The body's fields by its media type: urlencoded or multipart; nullopt for any other type or malformed data.
std::optional<FormFields> form_body(const Request& request);

}  // namespace petitiond::http
