#pragma once
// The one domain error category. Every layer reports failures with these codes; exactly one place
// (server/http/error_mapping.cpp) turns them into HTTP statuses.
#include <string>
#include <system_error>

namespace petitiond {

enum class Errc {
  bad_request = 1,        // malformed request: syntax, encoding, unparseable JSON
  invalid_field,          // a well-formed request with a field that breaks a rule
  not_found,
  method_not_allowed,
  conflict,               // concurrent change, duplicate, state no longer allows the action
  payload_too_large,
  headers_too_large,
  unsupported_media_type,
  unauthorized,
  forbidden,
  rate_limited,
  unavailable,            // a dependency (the database) cannot be reached right now
  timeout,                // a dependency did not answer in time
  insufficient_storage,   // the disk is full
  internal,
};

const std::error_category& domain_category() noexcept;
std::error_code make_error_code(Errc e) noexcept;

// Machine-readable code for JSON bodies, e.g. "not_found".
const char* code_name(Errc e) noexcept;

// A domain failure with a human message and, where one field is at fault, its name.
class Error : public std::system_error {
 public:
  Error(Errc code, std::string message, std::string field = {})
      : std::system_error(make_error_code(code), message), message_(std::move(message)), field_(std::move(field)) {}

  Errc errc() const noexcept { return static_cast<Errc>(code().value()); }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const noexcept { return message_; }
  const std::string& field() const noexcept { return field_; }

 private:
  std::string message_;
  std::string field_;
};

}  // namespace petitiond

template <>
struct std::is_error_code_enum<petitiond::Errc> : std::true_type {};
