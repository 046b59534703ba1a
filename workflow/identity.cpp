#include "workflow/identity.hpp"

#include <cctype>
#include <cstring>

namespace petitiond {

std::string login_problem(std::string_view login) {
  const std::string rule = "must be 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";
  if (login.size() < 2 || login.size() > 64 || !std::isalnum(static_cast<unsigned char>(login[0]))) return rule;
  for (char c : login) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_' || c == '.' || c == '-')) return rule;
  }
  return {};
}

std::string unit_code_problem(std::string_view code) {
  const std::string rule = "must be 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit";
  if (code.empty() || code.size() > 32 || !std::isalnum(static_cast<unsigned char>(code[0]))) return rule;
  for (char c : code) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || !(std::isalnum(u) || c == '_' || c == '.' || c == '-')) return rule;
  }
  return {};
}

std::string phone_problem(std::string_view phone) {
  int digits = 0;
  for (char c : phone) {
    if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
    else if (c == '\0' || !std::strchr("+- ()", c)) return "may hold only digits, '+', '-', spaces and parentheses";
  }
  if (digits < 5 || digits > 20) return "must have 5 to 20 digits";
  return {};
}

}  // namespace petitiond
