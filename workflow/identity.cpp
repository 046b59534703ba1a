#include "workflow/identity.hpp"

#include <cctype>
#include <cstring>

namespace petitiond {

std::string login_problem(std::string_view login) {
  const std::string rule =
      "must be 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";
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

std::string email_problem(std::string_view email) {
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return "must be one e-mail address (name@example.cn)";
  for (char c : email)
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == ';')
      return "must be one e-mail address, without spaces or separators";
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (at == 0 || dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size())
    return "must be one e-mail address (name@example.cn)";
  return {};
}

char id_check_character(std::string_view first_17_digits) {
  static constexpr int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char checks[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first_17_digits[i] - '0') * weights[i];
  return checks[sum % 11];
}

std::string id_number_problem(std::string_view id) {
  if (id.size() != 18) return "must be 18 characters";
  for (size_t i = 0; i < 17; ++i)
    if (!std::isdigit(static_cast<unsigned char>(id[i]))) return "must be 17 digits followed by a digit or X";
  char last = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
  if (!std::isdigit(static_cast<unsigned char>(last)) && last != 'X') return "must end in a digit or X";
  auto number = [&](size_t from, size_t length) {
    int value = 0;
    for (size_t i = from; i < from + length; ++i) value = value * 10 + (id[i] - '0');
    return value;
  };
  int year = number(6, 4), month = number(10, 2), day = number(12, 2);
  static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
      (month == 2 && day == 29 && !leap))
    return "has no valid birth date";
  if (id_check_character(id.substr(0, 17)) != last) return "has a wrong check digit";
  return {};
}

std::string certificate_problem(std::string_view certificate) {
  if (certificate.size() != 20) return "must be the 18-character ID number followed by two digits";
  if (auto problem = id_number_problem(certificate.substr(0, 18)); !problem.empty()) return "ID part " + problem;
  char type = certificate[18], grade = certificate[19];
  if (type < '1' || type > '7') return "disability type (19th character) must be 1 to 7";
  if (grade < '1' || grade > '4') return "disability grade (20th character) must be 1 to 4";
  return {};
}

std::optional<Disability> certificate_disability(std::string_view certificate) {
  if (!certificate_problem(certificate).empty()) return std::nullopt;
  return Disability{certificate[18] - '0', certificate[19] - '0'};
}

// The number in lower case, without an extension ("ext 12", "x12", "#12", ",12", ";12").
static std::string number_part(std::string_view phone) {
  std::string lower;
  for (char c : phone) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view marker : {"ext", "x", "#", ",", ";"})
    if (auto at = lower.find(marker); at != std::string::npos) lower.resize(at);
  return lower;
}

std::string normalise_phone(std::string_view phone) {
  const auto lower = number_part(phone);
  std::string digits;
  for (char c : lower)
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  bool international = lower.find('+') != std::string::npos || digits.starts_with("0086");
  if (digits.starts_with("0086")) digits.erase(0, 4);
  else if (international && digits.starts_with("86")) digits.erase(0, 2);
  else if (digits.size() == 13 && digits.starts_with("86") && digits[2] == '1') digits.erase(0, 2);  // 86 + mobile
  if (international && !digits.empty() && digits[0] != '1') digits = "0" + digits;  // +86 28 … is 028 …
  if (digits.size() < 5) return {};
  return digits;
}

std::optional<std::string> sms_number(std::string_view phone) {
  const auto lower = number_part(phone);
  for (char c : lower)
    if (!std::isdigit(static_cast<unsigned char>(c)) && std::string_view(" +-()./").find(c) == std::string_view::npos)
      return std::nullopt;
  std::string digits;
  for (char c : lower)
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  const auto first = lower.find_first_not_of(' ');
  bool international = first != std::string::npos && lower[first] == '+';
  if (!international && digits.starts_with("00")) {
    digits.erase(0, 2);
    international = true;
  }
  std::string national = digits;
  if (international) {
    if (!digits.starts_with("86")) {
      if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return std::nullopt;
      return "+" + digits;
    }
    national = digits.substr(2);
  } else if (digits.size() == 13 && digits.starts_with("86") && digits[2] == '1') {
    national = digits.substr(2);
  }
  if (national.size() != 11 || national[0] != '1' || national[1] < '3') return std::nullopt;
  return "+86" + national;
}

}  // namespace petitiond
