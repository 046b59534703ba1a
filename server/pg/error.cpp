#include "server/pg/error.hpp"

namespace petitiond::pg {

Errc errc_for_sqlstate(const std::string& sqlstate) {
  if (sqlstate.size() != 5) return Errc::internal;
  auto klass = sqlstate.substr(0, 2);
  if (sqlstate == "23505" || klass == "40") return Errc::conflict;  // unique, serialization, deadlock
  // Not null, foreign key, check: a value no handler check caught. A 422 (handlers name the field first).
  if (sqlstate == "23502" || sqlstate == "23503" || sqlstate == "23514") return Errc::invalid_field;
  if (sqlstate == "57014") return Errc::timeout;                    // statement_timeout / cancel
  if (sqlstate == "P0002") return Errc::not_found;                  // expect_row(): nothing to change
  if (sqlstate == "PT429") return Errc::rate_limited;               // take_rate_token()
  if (sqlstate == "PC409") return Errc::conflict;                   // calendars_unchanged_since()
  if (klass == "08" || klass == "53" || klass == "57") return Errc::unavailable;
  // Data exceptions (a value out of range or unreadable as its type) come from what a client sent that no
  // check caught first: a 422, not a 500. Checks in the handlers name the field; this is the safety net.
  if (klass == "22") return Errc::invalid_field;
  return Errc::internal;
}

QueryError query_error(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string sqlstate = state ? state : "";
  return QueryError(errc_for_sqlstate(sqlstate), primary ? primary : "statement failed", sqlstate);
}

}  // namespace petitiond::pg
