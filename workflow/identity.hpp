#pragma once
// Formats of identifiers people type: log-in names and phone numbers. Each check returns the problem
// in words, or an empty string when the value is acceptable.
#include <string>
#include <string_view>

namespace petitiond {

// 2–64 characters: lower-case ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.
std::string login_problem(std::string_view login);

// Unit codes: 1–32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.
std::string unit_code_problem(std::string_view code);

// Phone numbers as people write them: 5–20 digits with optional '+', spaces, dashes and parentheses.
std::string phone_problem(std::string_view phone);

}  // namespace petitiond
