#pragma once
// One parameterised SQL statement. Parameters travel separately from the SQL text, always.
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace petitiond::pg {

// Shortest text that reads back as the same double.
std::string fmt_double(double value);

struct Statement {
  std::string sql;
  std::vector<std::optional<std::string>> params;  // text format; nullopt is SQL NULL
  // Prepared once per connection and reused. A query whose best plan depends on its parameters (a
  // list filtered by a popular or a rare word) is planned afresh each time instead: no generic plan.
  bool prepare = true;

  Statement(std::string text) : sql(std::move(text)) {}
  Statement(const char* text) : sql(text) {}

  template <typename... Args>
  Statement(std::string text, Args&&... args) : sql(std::move(text)) {
    params.reserve(sizeof...(args));
    (bind(std::forward<Args>(args)), ...);
  }

  Statement& bind(std::nullopt_t) {
    params.emplace_back();
    return *this;
  }
  Statement& bind(std::string value) {
    params.emplace_back(std::move(value));
    return *this;
  }
  Statement& bind(std::string_view value) {
    params.emplace_back(std::string(value));
    return *this;
  }
  Statement& bind(const char* value) {
    params.emplace_back(std::string(value));
    return *this;
  }
  Statement& bind(bool value) {
    params.emplace_back(value ? "t" : "f");
    return *this;
  }
  template <std::integral T>
  Statement& bind(T value) {
    params.emplace_back(std::to_string(value));
    return *this;
  }
  template <std::floating_point T>
  Statement& bind(T value) {
    params.emplace_back(fmt_double(value));
    return *this;
  }
  template <typename T>
  Statement& bind(const std::optional<T>& value) {
    if (value) return bind(*value);
    return bind(std::nullopt);
  }
};

}  // namespace petitiond::pg
