#include "server/store/constraint_errors.hpp"

namespace petitiond::store {

void rethrow_constraint(const pg::QueryError& error, const std::string& field) {
  using namespace pg::sqlstate;
  if (error.is(unique_violation)) throw Error(Errc::conflict, "already exists: " + error.message(), field);
  if (error.is(check_violation) || error.is(foreign_key_violation) || error.is(not_null_violation) ||
      error.in_class(data_exception))
    throw Error(Errc::invalid_field, error.message(), field);
  throw error;
}

}  // namespace petitiond::store
