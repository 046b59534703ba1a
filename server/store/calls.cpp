#include "server/store/calls.hpp"

#include "server/store/petitions.hpp"

namespace petitiond::store {

boost::asio::awaitable<bool> CallStore::is_blocked(std::string phone_key) {
  auto result = co_await pool_.run_one(pg::Statement("SELECT 1 FROM blocked_callers WHERE phone_key = $1", phone_key));
  co_return result.rows() > 0;
}

boost::asio::awaitable<void> CallStore::record_new(NewCall call) {
  pg::Statement insert(
      "INSERT INTO calls (call_id, direction, from_number, from_key, to_number, to_key, queue, users, rejected)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9) ON CONFLICT (call_id) DO NOTHING",
      call.call_id, call.direction, call.from_number, call.from_key, call.to_number, call.to_key, call.queue,
      pg::words_literal(call.users), call.rejected);
  co_await pool_.run_one(std::move(insert));
}

boost::asio::awaitable<void> CallStore::record_answer(std::string call_id, std::optional<std::string> answering,
                                                      std::vector<std::string> users) {
  pg::Statement update(
      "UPDATE calls SET answered_at = coalesce(answered_at, now()), answering_number = $2,"
      " users = CASE WHEN cardinality($3::text[]) > 0 THEN $3::text[] ELSE users END,"
      " answered_by = (SELECT id FROM users WHERE phone = $2 OR login = $2 OR id::text = $2"
      "   ORDER BY (phone = $2) DESC, (login = $2) DESC LIMIT 1)"
      " WHERE call_id = $1",
      call_id, answering, pg::words_literal(users));
  co_await pool_.run_one(std::move(update));
}

boost::asio::awaitable<void> CallStore::record_hangup(std::string call_id, std::optional<std::string> cause,
                                                      std::optional<std::string> answering) {
  pg::Statement update(
      "UPDATE calls SET ended_at = coalesce(ended_at, now()), cause = $2,"
      " answering_number = coalesce($3, answering_number) WHERE call_id = $1",
      call_id, cause, answering);
  co_await pool_.run_one(std::move(update));
}

boost::asio::awaitable<void> CallStore::tell_operators(std::string notice) {
  pg::Statement notify("SELECT pg_notify($1, $2)", std::string(call_channel), notice);
  co_await pool_.run_one(std::move(notify));
}

boost::asio::awaitable<std::vector<CallRecord>> CallStore::recent(int limit, std::string viewer_path) {
  pg::Statement query(
      "SELECT c.call_id, c.direction, CASE c.direction WHEN 'in' THEN c.from_key ELSE c.from_number END,"
      " CASE c.direction WHEN 'out' THEN coalesce(c.to_key, c.to_number) ELSE c.to_number END,"
      " iso_local(c.started_at), iso_local(c.answered_at), iso_local(c.ended_at), c.cause, c.rejected,"
      " CASE WHEN " +
          not_accused("p", "$2::ltree") +
          " THEN c.petition_id END, u.display_name,"
          " c.answered_at IS NULL AND c.ended_at IS NOT NULL AND c.direction = 'in' AS missed"
          " FROM calls c LEFT JOIN users u ON u.id = c.answered_by LEFT JOIN petitions p ON p.id = c.petition_id"
          " ORDER BY c.started_at DESC LIMIT $1",
      limit, viewer_path);
  auto result = co_await pool_.run_one(std::move(query));
  std::vector<CallRecord> calls;
  for (int row = 0; row < result.rows(); ++row) {
    CallRecord call;
    call.call_id = result.text(row, 0);
    call.direction = result.text(row, 1);
    call.from = result.optional_text(row, 2);
    call.to = result.optional_text(row, 3);
    call.started_at = result.text(row, 4);
    call.answered_at = result.optional_text(row, 5);
    call.ended_at = result.optional_text(row, 6);
    call.cause = result.optional_text(row, 7);
    call.rejected = result.boolean(row, 8);
    if (!result.is_null(row, 9)) call.petition_id = result.integer(row, 9);
    call.answered_by = result.optional_text(row, 10);
    call.missed = result.boolean(row, 11);
    calls.push_back(std::move(call));
  }
  co_return calls;
}

boost::asio::awaitable<std::vector<BlockedCaller>> CallStore::blocked() {
  pg::Statement query(
      "SELECT b.phone_key, b.reason, iso_local(b.created_at), u.display_name FROM blocked_callers b"
      " LEFT JOIN users u ON u.id = b.created_by ORDER BY b.created_at DESC");
  auto result = co_await pool_.run_one(std::move(query));
  std::vector<BlockedCaller> callers;
  for (int row = 0; row < result.rows(); ++row)
    callers.push_back({std::string(result.text(row, 0)), std::string(result.text(row, 1)),
                       std::string(result.text(row, 2)), result.optional_text(row, 3)});
  co_return callers;
}

boost::asio::awaitable<void> CallStore::block(std::string phone_key, std::string reason, std::int64_t by,
                                              AuditEvent audit) {
  pg::Batch batch;
  batch.add(
      pg::Statement("INSERT INTO blocked_callers (phone_key, reason, created_by) VALUES ($1, $2, $3)"
                    " ON CONFLICT (phone_key) DO UPDATE SET reason = excluded.reason",
                    phone_key, reason, by));
  batch.add(audit_insert(audit));
  co_await pool_.run(std::move(batch));
}

boost::asio::awaitable<void> CallStore::unblock(std::string phone_key, AuditEvent audit) {
  pg::Batch batch;
  batch.add(require_change({"DELETE FROM blocked_callers WHERE phone_key = $1 RETURNING 1", phone_key},
                           "no blocked caller has this number"));
  batch.add(audit_insert(audit));
  co_await pool_.run(std::move(batch));
}

}  // namespace petitiond::store
