#include "server/pg/error.hpp"

#include <cstdlib>

namespace petitiond::pg {

Errc errc_for_sqlstate(const std::string& state) {
  if (state.size() != 5) return Errc::internal;
  const auto klass = std::string_view(state).substr(0, 2);
  if (state == sqlstate::unique_violation || klass == sqlstate::transaction_rollback) return Errc::conflict;
  // Not null, foreign key, check: a value no handler check caught. A 422 (handlers name the field first).
  if (state == sqlstate::not_null_violation || state == sqlstate::foreign_key_violation ||
      state == sqlstate::check_violation)
    return Errc::invalid_field;
  if (state == sqlstate::query_canceled) return Errc::timeout;
  if (state == sqlstate::no_data_found) return Errc::not_found;
  if (state == sqlstate::rate_limited) return Errc::rate_limited;
  if (state == sqlstate::calendars_changed) return Errc::conflict;
  if (klass == sqlstate::connection_exception || klass == sqlstate::insufficient_resources ||
      klass == sqlstate::operator_intervention)
    return Errc::unavailable;
  // Data exceptions (a value out of range or unreadable as its type) come from what a client sent that no
  // check caught first: a 422, not a 500. Checks in the handlers name the field; this is the safety net.
  if (klass == sqlstate::data_exception) return Errc::invalid_field;
  return Errc::internal;
}

QueryError query_error(const PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  std::string code = state ? state : "";
  QueryError error(errc_for_sqlstate(code), primary ? primary : "statement failed", code, constraint ? constraint : "");
  // take_rate_token() gives the seconds until its window opens again as the hint.
  if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT); hint && code == sqlstate::rate_limited) {
    char* end = nullptr;
    const long seconds = std::strtol(hint, &end, 10);
    if (end != hint && seconds > 0) error.retry_after(std::chrono::seconds(seconds));
  }
  return error;
}

}  // namespace petitiond::pg
