#include "server/store/calls.hpp"

#include "server/store/petition_rows.hpp"
#include "server/store/petitions.hpp"

namespace petitiond::store {

boost::asio::awaitable<bool> CallStore::is_blocked(std::string phone_key) {
  auto result = co_await pool_.run_one(pg::Statement("SELECT 1 FROM blocked_callers WHERE phone_key = $1", phone_key));
  co_return result.rows() > 0;
}

namespace {

// An answer or hangup of a call the log does not hold (its newCall was lost, or arrives later) logs it.
pg::Statement insert_if_absent(const CallEvent& call) {
  return pg::Statement(
      "INSERT INTO calls (call_id, direction, from_number, from_key, to_number, to_key, queue, users, rejected,"
      " started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, to_timestamp($10))"
      " ON CONFLICT (call_id) DO NOTHING RETURNING call_id, direction, to_key",
      call.call_id, call.direction, call.from_number, call.from_key, call.to_number, call.to_key, call.queue,
      pg::words_literal(call.users), call.rejected, epoch(call.at));
}

constexpr const char* record_columns =
    "SELECT c.call_id, c.direction, CASE c.direction WHEN 'in' THEN c.from_key ELSE c.from_number END,"
    " CASE c.direction WHEN 'out' THEN coalesce(c.to_key, c.to_number) ELSE c.to_number END, c.queue, c.users,"
    " iso_local(c.started_at), iso_local(c.answered_at), iso_local(c.ended_at), c.cause, c.rejected, c.voicemail,"
    " CASE WHEN {not_accused} THEN c.petition_id END, u.display_name, c.missed, iso_local(c.called_back_at),"
    " cb.display_name, c.callback_call_id,"
    " extract(epoch FROM coalesce(c.answered_at, c.ended_at) - c.started_at)::bigint,"
    " extract(epoch FROM c.ended_at - c.answered_at)::bigint"
    " FROM calls c LEFT JOIN users u ON u.id = c.answered_by LEFT JOIN users cb ON cb.id = c.called_back_by"
    " LEFT JOIN petitions p ON p.id = c.petition_id";

CallRecord record_from(const pg::Result& result, int row) {
  CallRecord call;
  call.call_id = result.text(row, 0);
  call.direction = result.text(row, 1);
  call.from = result.optional_text(row, 2);
  call.to = result.optional_text(row, 3);
  call.queue = result.optional_text(row, 4);
  call.users = result.words(row, 5);
  call.started_at = result.text(row, 6);
  call.answered_at = result.optional_text(row, 7);
  call.ended_at = result.optional_text(row, 8);
  call.cause = result.optional_text(row, 9);
  call.rejected = result.boolean(row, 10);
  call.voicemail = result.boolean(row, 11);
  if (!result.is_null(row, 12)) call.petition_id = result.integer(row, 12);
  call.answered_by = result.optional_text(row, 13);
  call.missed = result.boolean(row, 14);
  call.called_back_at = result.optional_text(row, 15);
  call.called_back_by = result.optional_text(row, 16);
  call.callback_call_id = result.optional_text(row, 17);
  if (!result.is_null(row, 18)) call.wait_seconds = result.integer(row, 18);
  if (!result.is_null(row, 19)) call.talk_seconds = result.integer(row, 19);
  return call;
}

}  // namespace

boost::asio::awaitable<bool> CallStore::record_new(CallEvent call) {
  // An outbound call to a number returns the missed calls from it that wait for a callback.
  auto insert = insert_if_absent(call);
  insert.sql =
      "WITH new AS (" + insert.sql +
      "), returned AS (UPDATE calls c SET called_back_at = to_timestamp($10), callback_call_id = new.call_id"
      "   FROM new WHERE new.direction = 'out' AND c.missed AND c.called_back_at IS NULL AND c.from_key = new.to_key"
      "   RETURNING 1)"
      " SELECT (SELECT count(*) FROM new), (SELECT count(*) FROM returned)";
  auto result = co_await pool_.run_one(std::move(insert));
  co_return result.integer(0, 0) > 0;
}

boost::asio::awaitable<bool> CallStore::record_answer(CallEvent call) {
  pg::Batch batch;
  batch.add(insert_if_absent(call));
  auto answered = batch.add(pg::Statement(
      "UPDATE calls SET answered_at = coalesce(answered_at, to_timestamp($2)),"
      " answering_number = coalesce($3::text, answering_number),"
      " users = CASE WHEN cardinality($4::text[]) > 0 THEN $4::text[] ELSE users END,"
      " answered_by = coalesce($5::bigint, answered_by), voicemail = voicemail OR $6::boolean"
      " WHERE call_id = $1 AND ended_at IS NULL AND (answered_at IS NULL"
      "   OR $3::text IS NOT NULL AND answering_number IS DISTINCT FROM $3::text"
      "   OR cardinality($4::text[]) > 0 AND users <> $4::text[]"
      "   OR $5::bigint IS NOT NULL AND answered_by IS DISTINCT FROM $5::bigint OR $6::boolean AND NOT voicemail)"
      " RETURNING 1",
      call.call_id, epoch(call.at), call.answering, pg::words_literal(call.users), call.agent, call.voicemail));
  auto results = co_await pool_.run(std::move(batch));
  co_return results[answered].rows() > 0;
}

boost::asio::awaitable<bool> CallStore::record_hangup(CallEvent call) {
  pg::Batch batch;
  batch.add(insert_if_absent(call));
  auto ended =
      batch.add(pg::Statement("UPDATE calls SET ended_at = greatest(started_at, to_timestamp($2)), cause = $3,"
                              " answering_number = coalesce($4::text, answering_number)"
                              " WHERE call_id = $1 AND ended_at IS NULL RETURNING 1",
                              call.call_id, epoch(call.at), call.cause, call.answering));
  auto results = co_await pool_.run(std::move(batch));
  co_return results[ended].rows() > 0;
}

boost::asio::awaitable<void> CallStore::tell_operators(std::string notice) {
  pg::Statement notify("SELECT pg_notify($1, $2)", std::string(call_channel), notice);
  co_await pool_.run_one(std::move(notify));
}

boost::asio::awaitable<std::vector<Agent>> CallStore::agents(workflow::Instant at) {
  pg::Statement query(
      "SELECT u.id, u.login, u.display_name, u.phone, EXISTS (SELECT 1 FROM calls c WHERE c.answered_by = u.id"
      "   AND c.answered_at IS NOT NULL AND c.ended_at IS NULL AND c.answered_at > to_timestamp($1) - interval '4 "
      "hours')"
      " FROM users u WHERE u.active AND 'operator' = ANY (u.roles) ORDER BY u.id",
      epoch(at));
  auto result = co_await pool_.run_one(std::move(query));
  std::vector<Agent> agents;
  for (int row = 0; row < result.rows(); ++row)
    agents.push_back({result.integer(row, 0), std::string(result.text(row, 1)), std::string(result.text(row, 2)),
                      result.optional_text(row, 3), result.boolean(row, 4)});
  co_return agents;
}

boost::asio::awaitable<std::vector<CallRecord>> CallStore::select(std::string where_order, std::int64_t limit,
                                                                  std::optional<std::string> call_id,
                                                                  std::string viewer_path) {
  std::string sql = record_columns;
  sql.replace(sql.find("{not_accused}"), 13, not_accused("p", "$2::ltree"));
  pg::Statement query(sql + " " + where_order + " LIMIT $1", limit, viewer_path, call_id);
  auto result = co_await pool_.run_one(std::move(query));
  std::vector<CallRecord> calls;
  for (int row = 0; row < result.rows(); ++row) calls.push_back(record_from(result, row));
  co_return calls;
}

boost::asio::awaitable<std::optional<CallRecord>> CallStore::call(std::string call_id, std::string viewer_path) {
  auto found = co_await select("WHERE c.call_id = $3", 1, std::move(call_id), std::move(viewer_path));
  if (found.empty()) co_return std::nullopt;
  co_return std::move(found.front());
}

boost::asio::awaitable<std::vector<CallRecord>> CallStore::recent(int limit, std::string viewer_path) {
  co_return co_await select("WHERE $3::text IS NULL ORDER BY c.started_at DESC, c.id DESC", limit, std::nullopt,
                            std::move(viewer_path));
}

boost::asio::awaitable<std::vector<CallRecord>> CallStore::to_return(int limit, std::string viewer_path) {
  co_return co_await select(
      "WHERE c.missed AND c.called_back_at IS NULL AND $3::text IS NULL ORDER BY c.started_at, c.id", limit,
      std::nullopt, std::move(viewer_path));
}

boost::asio::awaitable<void> CallStore::mark_called_back(std::string call_id, std::int64_t by, workflow::Instant at,
                                                         AuditEvent audit) {
  pg::Batch batch;
  batch.add(require_change({"UPDATE calls SET called_back_at = to_timestamp($3), called_back_by = $2"
                            " WHERE call_id = $1 AND missed AND called_back_at IS NULL RETURNING 1",
                            call_id, by, epoch(at)},
                           "no missed call waiting for a callback has this id"));
  batch.add(audit_insert(audit));
  co_await pool_.run(std::move(batch));
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
