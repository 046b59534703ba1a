#pragma once
// An owned libpq result with text-format accessors.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petitiond::pg {

// A text[] literal for a parameter: {"a","b"}, each element quoted.
std::string words_literal(const std::vector<std::string>& words);
// A bigint[] literal for a parameter: {1,2,3}.
std::string ids_literal(const std::vector<std::int64_t>& ids);

class Result {
 public:
  Result() = default;
  explicit Result(PGresult* raw) : raw_(raw, &PQclear) {}

  int rows() const { return raw_ ? PQntuples(raw_.get()) : 0; }
  int columns() const { return raw_ ? PQnfields(raw_.get()) : 0; }
  bool is_null(int row, int column) const { return PQgetisnull(raw_.get(), row, column) != 0; }

  // Text value of a cell; empty for NULL.
  std::string_view text(int row, int column) const {
    return {PQgetvalue(raw_.get(), row, column), static_cast<size_t>(PQgetlength(raw_.get(), row, column))};
  }
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  bool boolean(int row, int column) const { return text(row, column) == "t"; }
  // A text[] cell of simple words ({a,b,c}: no quoting, as roles and scopes are).
  std::vector<std::string> words(int row, int column) const;

  // A column's number by its name; throws Error(internal) when the result has no such column.
  int column(const char* name) const;

  // Rows changed by INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

  PGresult* raw() const { return raw_.get(); }

 private:
  std::shared_ptr<PGresult> raw_;
};

}  // namespace petitiond::pg
