#include "workflow/masking.hpp"

#include <vector>

namespace petitiond {
namespace {

// Splits UTF-8 text into characters (a malformed byte counts as one character).
std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
    if (i + length > text.size()) length = 1;
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

// Keeps `head` leading and `tail` trailing characters, replacing the rest with '*'.
std::string keep_ends(std::string_view text, size_t head, size_t tail) {
  auto chars = characters(text);
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (i < head || i + tail >= chars.size()) out += chars[i];
    else out += '*';
  }
  return out;
}

}  // namespace

std::string mask_name(std::string_view name) {
  const auto n = characters(name).size();
  if (n == 0) return {};
  return n == 1 ? std::string(name) + "*" : keep_ends(name, 1, 0);
}

std::string mask_phone(std::string_view phone) {
  auto n = characters(phone).size();
  if (n <= 4) return std::string(n, '*');
  if (n < 11) return keep_ends(phone, 0, 4);
  return keep_ends(phone, 3, 4);
}

std::string mask_email(std::string_view email) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::string(characters(email).size(), '*');
  const auto name = email.substr(0, at);
  return keep_ends(name, 1, 0) + std::string(email.substr(at));
}

std::string mask_id_number(std::string_view id_number) {
  auto n = characters(id_number).size();
  if (n <= 8) return std::string(n, '*');
  return keep_ends(id_number, 4, 4);
}

std::string mask_certificate(std::string_view certificate) {
  auto n = characters(certificate).size();
  if (n <= 10) return std::string(n, '*');
  auto masked = keep_ends(certificate, 4, 6);         // the ID part's last four, plus type and grade
  return masked.substr(0, masked.size() - 2) + "**";  // … then hide type and grade
}

}  // namespace petitiond
