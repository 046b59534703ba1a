#pragma once
// Turns a database constraint failure into the domain error a client can act on.
#include "server/pg/error.hpp"

namespace petitiond::store {

// unique violation -> conflict; check, foreign-key or not-null violation -> invalid_field (naming
// `field`); anything else is rethrown as it is.
[[noreturn]] void rethrow_constraint(const pg::QueryError& error, const std::string& field);

}  // namespace petitiond::store
