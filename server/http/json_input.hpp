#pragma once
// Reading a request's JSON body and query string, with errors that name the field at fault.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/http/types.hpp"

namespace petitiond::http {

// The body as a JSON object: 415 unless the content type is JSON, 400 for malformed JSON, 400 when it
// is not an object. Invalid UTF-8 in a string is refused by the accessor that reads it (422 naming it).
boost::json::object json_object_body(const Request& request);

// A request that carries no fields: an empty body, or a JSON object without members (422 naming the first).
void no_body_fields(const Request& request);

// The body as YAML text (an uploaded definition): 415 unless the content type is YAML or plain text, 422
// (field "body") when it is empty or not UTF-8.
std::string yaml_body(const Request& request);

// Typed access to an object's fields. Each accessor marks the field as known; `reject_unknown()` then
// refuses any other field (422 naming it), so that typos do not pass silently.
class Fields {
 public:
  explicit Fields(const boost::json::object& object) : object_(object) {}

  // Text: trimmed of surrounding white space; required text must not be empty. Lengths count characters.
  std::string text(const std::string& name, std::size_t max_chars);
  std::optional<std::string> optional_text(const std::string& name, std::size_t max_chars);
  // Absent: no change (nullopt); null or "": clear (an empty inner optional); text: set.
  std::optional<std::optional<std::string>> nullable_text(const std::string& name, std::size_t max_chars);
  // A password or other secret: taken exactly as sent (no trimming); required when `required`.
  std::optional<std::string> secret(const std::string& name, std::size_t max_bytes, bool required);
  std::optional<bool> optional_bool(const std::string& name);
  std::optional<std::int64_t> optional_integer(const std::string& name, std::int64_t min, std::int64_t max);
  // A list of strings from `allowed`, each once (duplicates dropped), at most as many as there are choices;
  // required lists must not be empty.
  std::optional<std::vector<std::string>> optional_choices(const std::string& name,
                                                           const std::set<std::string>& allowed);

  // Marks a field read by other means (a nested object) as known.
  void known(const std::string& name) { known_.insert(name); }
  void reject_unknown() const;

 private:
  const boost::json::value* find(const std::string& name);
  const boost::json::object& object_;
  std::set<std::string> known_;
};

// The first value of a query parameter, percent-decoded; nullopt when absent or empty.
std::optional<std::string> query_param(const RequestContext& context, std::string_view name);
std::optional<std::int64_t> query_integer(const RequestContext& context, std::string_view name, std::int64_t min,
                                          std::int64_t max);
// A path parameter that must be a positive integer id; not_found otherwise (a malformed id names nothing).
std::int64_t path_id(const RequestContext& context, std::string_view name);
// A version number in the path, from `min` (0 where version 0 means the files' own); 404 otherwise.
int path_version(const RequestContext& context, std::string_view name, int min);

std::size_t utf8_length(std::string_view text);
bool valid_utf8(std::string_view text);

}  // namespace petitiond::http
