#include "server/pg/result.hpp"

#include "server/pg/statement.hpp"

#include <charconv>

#include "core/error.hpp"

namespace petitiond::pg {

std::string fmt_double(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

std::string ids_literal(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (auto id : ids) out += (out.size() > 1 ? "," : "") + std::to_string(id);
  return out + "}";
}

std::string words_literal(const std::vector<std::string>& words) {
  std::string out = "{";
  for (const auto& word : words) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : word) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<std::string> Result::words(int row, int column) const {
  std::vector<std::string> out;
  auto array = text(row, column);
  if (array.size() < 2) return out;
  array = array.substr(1, array.size() - 2);
  while (!array.empty()) {
    auto comma = array.find(',');
    out.emplace_back(array.substr(0, comma));
    if (comma == std::string_view::npos) break;
    array.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return std::string(text(row, column));
}

std::int64_t Result::integer(int row, int column) const {
  auto value = text(row, column);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc{} || end != value.data() + value.size())
    throw Error(Errc::internal, "database returned a non-integer where an integer was expected");
  return out;
}

int Result::column(const char* name) const {
  int number = raw_ ? PQfnumber(raw_.get(), name) : -1;
  if (number < 0) throw Error(Errc::internal, std::string("query result has no column ") + name);
  return number;
}

std::int64_t Result::affected() const {
  const char* tuples = PQcmdTuples(raw_.get());
  return tuples && *tuples ? std::stoll(tuples) : 0;
}

}  // namespace petitiond::pg
