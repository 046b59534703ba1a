#include "server/store/audit.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace petitiond::store {

namespace {
std::optional<std::string> non_empty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}
}  // namespace

pg::Statement audit_insert(const AuditEvent& event) {
  return pg::Statement(
      "INSERT INTO audit_log (action, actor_id, actor_login, target_type, target_id, address, request_id, details)"
      " VALUES ($1, $2, $3, $4, $5, $6::inet, $7, $8::jsonb)",
      event.action, event.actor_id, non_empty(event.actor_login), non_empty(event.target_type),
      non_empty(event.target_id), non_empty(event.address), non_empty(event.request_id),
      boost::json::serialize(event.details));
}

pg::Statement require_change(pg::Statement modifying, std::string_view what) {
  modifying.bind(what);
  modifying.sql = "WITH changed AS (" + modifying.sql + ") SELECT expect_row(count(*) > 0, $" +
                  std::to_string(modifying.params.size()) + ") FROM changed";
  return modifying;
}

boost::asio::awaitable<void> AuditLog::record(AuditEvent event) { co_await pool_.run_one(audit_insert(event)); }

boost::asio::awaitable<std::vector<AuditRecord>> AuditLog::query(AuditQuery query) {
  std::optional<std::string> action_prefix, action_exact;
  if (query.action && query.action->ends_with('.')) action_prefix = *query.action;
  else action_exact = query.action;
  auto result = co_await pool_.run_one(pg::Statement(
      "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), action, actor_id, actor_login,"
      " target_type, target_id, host(address), request_id, details::text"
      " FROM audit_log"
      " WHERE ($1::text IS NULL OR action = $1)"
      "   AND ($2::text IS NULL OR starts_with(action, $2))"
      "   AND ($3::text IS NULL OR actor_login = $3)"
      "   AND ($4::text IS NULL OR target_type = $4)"
      "   AND ($5::text IS NULL OR target_id = $5)"
      "   AND ($6::timestamptz IS NULL OR at >= $6)"
      "   AND ($7::timestamptz IS NULL OR at < $7)"
      "   AND ($8::bigint IS NULL OR id < $8)"
      " ORDER BY id DESC LIMIT $9",
      action_exact, action_prefix, query.actor_login, query.target_type, query.target_id, query.since, query.until,
      query.before_id, query.limit));
  std::vector<AuditRecord> records;
  for (int row = 0; row < result.rows(); ++row) {
    AuditRecord record{result.integer(row, 0), std::string(result.text(row, 1)), {}};
    auto& e = record.event;
    e.action = result.text(row, 2);
    if (!result.is_null(row, 3)) e.actor_id = result.integer(row, 3);
    e.actor_login = result.text(row, 4);
    e.target_type = result.text(row, 5);
    e.target_id = result.text(row, 6);
    e.address = result.text(row, 7);
    e.request_id = result.text(row, 8);
    e.details = boost::json::parse(result.text(row, 9)).as_object();
    records.push_back(std::move(record));
  }
  co_return records;
}

}  // namespace petitiond::store
