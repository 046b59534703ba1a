#pragma once
// Database failures as domain errors, keeping the SQLSTATE for the store layer to interpret.
#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace petitiond::pg {

// The SQLSTATEs this server tells apart: PostgreSQL's, and those its own SQL functions raise.
namespace sqlstate {
inline constexpr std::string_view not_null_violation = "23502";
inline constexpr std::string_view foreign_key_violation = "23503";
inline constexpr std::string_view unique_violation = "23505";
inline constexpr std::string_view check_violation = "23514";
inline constexpr std::string_view query_canceled = "57014";  // statement_timeout, cancel
inline constexpr std::string_view undefined_table = "42P01";
inline constexpr std::string_view no_data_found = "P0002";      // expect_row(): nothing to change
inline constexpr std::string_view rate_limited = "PT429";       // take_rate_token()
inline constexpr std::string_view calendars_changed = "PC409";  // calendars_unchanged_since()
// Classes (the first two characters).
inline constexpr std::string_view data_exception = "22";
inline constexpr std::string_view transaction_rollback = "40";  // serialization failure, deadlock
inline constexpr std::string_view connection_exception = "08";
inline constexpr std::string_view insufficient_resources = "53";
inline constexpr std::string_view operator_intervention = "57";
}  // namespace sqlstate

class QueryError : public Error {
 public:
  QueryError(Errc code, std::string message, std::string sqlstate, std::string constraint = {})
      : Error(code, std::move(message)), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  bool is(std::string_view state) const noexcept { return sqlstate_ == state; }
  bool in_class(std::string_view klass) const noexcept { return std::string_view(sqlstate_).substr(0, 2) == klass; }
  // The constraint violated, for integrity errors (PG_DIAG_CONSTRAINT_NAME), else empty.
  const std::string& constraint() const noexcept { return constraint_; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// Builds the error for a failed statement. Only the primary message is kept: DETAIL lines can quote
// row values (personal data) and must not reach logs or clients.
QueryError query_error(const PGresult* result);

// The domain code for a SQLSTATE, e.g. "23505" -> conflict, "57014" -> timeout.
Errc errc_for_sqlstate(const std::string& sqlstate);

}  // namespace petitiond::pg
