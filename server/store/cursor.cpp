#include "server/store/cursor.hpp"

#include <charconv>

#include "workflow/calendar.hpp"
#include "core/error.hpp"

namespace petitiond::store {
namespace {

[[noreturn]] void refuse() { throw Error(Errc::invalid_field, "is not a cursor this list returned", "after"); }

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Cursor parse_cursor(const std::string& text, char separator) {
  const auto at = text.rfind(separator);
  if (at == std::string::npos || at > 40) refuse();
  auto id = whole_number(std::string_view(text).substr(at + 1));
  if (!id || *id <= 0) refuse();
  return {text.substr(0, at), *id};
}

std::int64_t cursor_integer(const Cursor& cursor) {
  auto value = whole_number(cursor.key);
  if (!value) refuse();
  return *value;
}

std::string cursor_date(const Cursor& cursor) {
  if (!workflow::parse_date(cursor.key)) refuse();
  return cursor.key;
}

}  // namespace petitiond::store
