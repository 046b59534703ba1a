#pragma once
// Keyset cursors of the lists this server pages: "<key><separator><id>", the key an integer (epoch
// microseconds or seconds) or a date, as the server wrote it. Anything else is refused as the `after`
// field, before it reaches SQL.
#include <cstdint>
#include <optional>
#include <string>

namespace petitiond::store {

struct Cursor {
  std::string key;  // may be empty (a petition without a deadline sorts last)
  std::int64_t id = 0;
};

Cursor parse_cursor(const std::string& text, char separator);
// The key as an integer; invalid_field "after" when it is not one.
std::int64_t cursor_integer(const Cursor& cursor);
// The key as a date (YYYY-MM-DD); invalid_field "after" when it is not one.
std::string cursor_date(const Cursor& cursor);

}  // namespace petitiond::store
