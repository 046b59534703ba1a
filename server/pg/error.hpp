#pragma once
// Database failures as domain errors, keeping the SQLSTATE for the store layer to interpret.
#include <libpq-fe.h>

#include <string>

#include "workflow/error.hpp"

namespace petitiond::pg {

class QueryError : public Error {
 public:
  QueryError(Errc code, std::string message, std::string sqlstate)
      : Error(code, std::move(message)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Builds the error for a failed statement. Only the primary message is kept: DETAIL lines can quote
// row values (personal data) and must not reach logs or clients.
QueryError query_error(const PGresult* result);

// The domain code for a SQLSTATE, e.g. "23505" -> conflict, "57014" -> timeout.
Errc errc_for_sqlstate(const std::string& sqlstate);

}  // namespace petitiond::pg
