#include "server/store/constraint_errors.hpp"

namespace petitiond::store {

void rethrow_constraint(const pg::QueryError& error, const std::string& field) {
  const auto& state = error.sqlstate();
  if (state == "23505") throw Error(Errc::conflict, "already exists: " + error.message(), field);
  if (state == "23514" || state == "23503" || state == "23502" || state.starts_with("22"))
    throw Error(Errc::invalid_field, error.message(), field);
  throw error;
}

}  // namespace petitiond::store
