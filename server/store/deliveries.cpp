#include "server/store/deliveries.hpp"

#include <boost/json/parse.hpp>

#include "server/pg/error.hpp"

namespace petitiond::store {

boost::asio::awaitable<std::vector<DeadLetter>> DeliveryStore::dead_letters(std::optional<std::int64_t> before,
                                                                            std::int64_t limit) {
  pg::Statement list(
      "SELECT d.id, d.outbox_id, d.recipient, d.channel, d.address, d.topic, d.payload::text, d.attempts,"
      " coalesce(d.last_error, ''), iso_local(d.created_at), iso_local(d.next_attempt_at)"
      " FROM notification_deliveries d WHERE d.state = 'dead' AND ($1::bigint IS NULL OR d.id < $1)"
      " ORDER BY d.id DESC LIMIT $2",
      before, limit);
  auto rows = co_await pool_.run_one(std::move(list));
  std::vector<DeadLetter> letters;
  for (int row = 0; row < rows.rows(); ++row)
    letters.push_back({rows.integer(row, 0), rows.integer(row, 1), std::string(rows.text(row, 2)),
                       std::string(rows.text(row, 3)), rows.optional_text(row, 4), std::string(rows.text(row, 5)),
                       boost::json::parse(rows.text(row, 6)), rows.integer(row, 7), std::string(rows.text(row, 8)),
                       std::string(rows.text(row, 9)), std::string(rows.text(row, 10))});
  co_return letters;
}

boost::asio::awaitable<void> DeliveryStore::resend(std::int64_t id, AuditEvent audit) {
  pg::Batch batch;
  batch.add(require_change(
      {"UPDATE notification_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL"
       " WHERE id = $1 AND state = 'dead' RETURNING 1",
       id},
      "no dead letter has this id"));
  batch.add(audit_insert(audit));
  try {
    co_await pool_.run(std::move(batch));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) throw Error(Errc::not_found, "no dead letter has this id");
    throw;
  }
}

}  // namespace petitiond::store
