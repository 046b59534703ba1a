#pragma once
// The one domain error category. Every layer reports failures with these codes; exactly one place
// (server/http/error_mapping.cpp) turns them into HTTP statuses. Failures of the HTTP exchange itself (a
// malformed request, a method, a size or a media type) are the HTTP layer's own (http::ProtocolError).
#include <chrono>
#include <string>
#include <system_error>
#include <vector>

namespace petitiond {

enum class Errc {
  invalid_field = 1,  // a field that breaks a rule
  not_found,
  conflict,  // concurrent change, duplicate, state no longer allows the action
  unauthorized,
  forbidden,
  rate_limited,
  unavailable,           // a dependency (the database) cannot be reached right now
  timeout,               // a dependency did not answer in time
  insufficient_storage,  // the disk is full
  internal,
};

const std::error_category& domain_category() noexcept;
std::error_code make_error_code(Errc e) noexcept;

// Machine-readable code for JSON bodies, e.g. "not_found".
const char* code_name(Errc e) noexcept;

// One of several problems found at once (an uploaded file checked whole): where, and what.
struct ErrorProblem {
  std::string message;
  std::string field;  // empty when no one field is at fault
  int line = 0;       // in the uploaded text; 0 when no line applies
};

// A domain failure with a human message and, where one field is at fault, its name; a whole document
// refused also lists every problem found in it (the first is the message).
class Error : public std::system_error {
 public:
  Error(Errc code, std::string message, std::string field = {})
      : std::system_error(make_error_code(code), message), message_(std::move(message)), field_(std::move(field)) {}
  Error(Errc code, std::vector<ErrorProblem> problems)
      : Error(code, problems.empty() ? std::string("invalid") : problems.front().message,
              problems.empty() ? std::string() : problems.front().field) {
    problems_ = std::move(problems);
  }

  Errc errc() const noexcept { return static_cast<Errc>(code().value()); }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const noexcept { return message_; }
  const std::string& field() const noexcept { return field_; }
  const std::vector<ErrorProblem>& problems() const noexcept { return problems_; }
  // For a rate limit: how long until a retry can succeed (0: not known).
  Error& retry_after(std::chrono::seconds wait) noexcept {
    retry_after_ = wait;
    return *this;
  }
  std::chrono::seconds retry_after() const noexcept { return retry_after_; }

 private:
  std::string message_;
  std::string field_;
  std::vector<ErrorProblem> problems_;
  std::chrono::seconds retry_after_{0};
};

}  // namespace petitiond

template <>
struct std::is_error_code_enum<petitiond::Errc> : std::true_type {};
