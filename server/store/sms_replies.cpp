#include "server/store/sms_replies.hpp"

#include <boost/json/parse.hpp>

#include "core/error.hpp"
#include "server/store/petition_rows.hpp"
#include "workflow/identity.hpp"

namespace petitiond::store {
namespace json = boost::json;

namespace {

// The replies waiting for `viewer`, an operator: what was not recorded as the callback, and every dissatisfied
// answer (domain.md: a dissatisfied petitioner is asked why, and the matter redone when the handling was at
// fault); of those, the ones about no petition or about one the viewer may see.
std::string readable_replies(const Actor& viewer, pg::Statement& statement) {
  return "r.handled_at IS NULL AND (r.outcome <> 'recorded' OR r.satisfaction IN ('dissatisfied', "
         "'very_dissatisfied')) AND (cardinality(r.petition_ids) = 0 OR EXISTS (SELECT 1 FROM petitions p WHERE "
         "p.id = ANY (r.petition_ids) AND " +
         visible_petitions_condition(viewer, statement) + "))";
}

}  // namespace

boost::asio::awaitable<ReceivedSms> SmsReplyStore::receive(InboundSms sms, workflow::Instant at) {
  const auto key = normalise_phone(sms.from);
  const std::optional<std::string> from_key = key.empty() ? std::nullopt : std::optional(key);
  pg::Batch batch;
  // A gateway's retry finds the reply it already reported.
  const auto kept = batch.add(pg::Statement(
      "WITH added AS (INSERT INTO sms_replies (gateway_id, from_number, from_key, text, received_at)"
      "  VALUES ($1, $2, $3, $4, to_timestamp($5)) ON CONFLICT (gateway_id) DO NOTHING RETURNING id, outcome)"
      " SELECT id, outcome FROM added UNION ALL SELECT id, outcome FROM sms_replies WHERE gateway_id = $1"
      " AND NOT EXISTS (SELECT 1 FROM added)",
      sms.gateway_id, sms.from, from_key, sms.text, epoch(at)));
  // The satisfaction message is the SMS sent to the petitioner when the petition came to await its callback.
  const auto awaiting =
      batch.add(pg::Statement("SELECT p.id, p.version, p.intake_unit_id, u.path::text FROM petitions p"
                              " JOIN petitioners pe ON pe.id = p.petitioner_id JOIN units u ON u.id = p.intake_unit_id"
                              " WHERE $1::text IS NOT NULL AND pe.phone_key = $1 AND p.state = 'replied' AND EXISTS ("
                              "   SELECT 1 FROM outbox o JOIN notification_deliveries d ON d.outbox_id = o.id"
                              "   WHERE o.petition_id = p.id AND o.payload->>'state' = 'replied' AND d.channel = 'sms'"
                              "     AND d.recipient = 'petitioner:' || pe.id AND d.state <> 'dead')"
                              " ORDER BY p.id LIMIT 20",
                              from_key));
  auto results = co_await pool_.run(std::move(batch));
  const auto& row = results[kept];
  if (row.rows() == 0) throw Error(Errc::conflict, "the reply could not be kept; send it again");
  ReceivedSms received;
  received.id = row.integer(0, 0);
  received.settled = row.text(0, 1) != "received";
  for (int r = 0; r < results[awaiting].rows(); ++r)
    received.awaiting.push_back({results[awaiting].integer(r, 0), static_cast<int>(results[awaiting].integer(r, 1)),
                                 results[awaiting].integer(r, 2), std::string(results[awaiting].text(r, 3))});
  co_return received;
}

boost::asio::awaitable<void> SmsReplyStore::settle(std::int64_t id, std::string outcome,
                                                   std::optional<std::string> satisfaction,
                                                   std::vector<std::int64_t> petition_ids,
                                                   std::optional<std::int64_t> recorded_on) {
  pg::Statement update(
      "UPDATE sms_replies SET outcome = $2, satisfaction = $3, petition_ids = $4::bigint[], petition_id = $5"
      " WHERE id = $1",
      id, outcome, satisfaction, pg::ids_literal(petition_ids), recorded_on);
  co_await pool_.run_one(std::move(update));
}

boost::asio::awaitable<std::vector<SmsReply>> SmsReplyStore::to_read(Actor viewer, int limit,
                                                                     std::optional<std::int64_t> only) {
  pg::Statement query("");
  const auto visible = visible_petitions_condition(viewer, query);
  const auto limit_param = param(query, limit);
  const auto only_param = param(query, only);
  query.sql =
      "SELECT r.id, coalesce(r.from_key, r.from_number), r.text, iso_local(r.received_at), r.outcome, r.satisfaction,"
      " (SELECT coalesce(json_agg(json_build_object('id', p.id, 'tracking_code', p.tracking_code, 'state', p.state)"
      "   ORDER BY p.id), '[]')::text FROM petitions p WHERE p.id = ANY (r.petition_ids) AND " +
      visible + ") FROM sms_replies r WHERE " + readable_replies(viewer, query) + " AND (" + only_param +
      "::bigint IS NULL OR r.id = " + only_param + ") ORDER BY r.received_at, r.id LIMIT " + limit_param;
  auto result = co_await pool_.run_one(std::move(query));
  std::vector<SmsReply> replies;
  for (int row = 0; row < result.rows(); ++row) {
    SmsReply reply;
    reply.id = result.integer(row, 0);
    reply.from = result.text(row, 1);
    reply.text = result.text(row, 2);
    reply.received_at = result.text(row, 3);
    reply.outcome = result.text(row, 4);
    reply.satisfaction = result.optional_text(row, 5);
    const auto petitions = json::parse(std::string(result.text(row, 6)));
    for (const auto& item : petitions.as_array()) {
      const auto& p = item.as_object();
      reply.petitions.push_back({p.at("id").to_number<std::int64_t>(), std::string(p.at("tracking_code").as_string()),
                                 std::string(p.at("state").as_string())});
    }
    replies.push_back(std::move(reply));
  }
  co_return replies;
}

boost::asio::awaitable<void> SmsReplyStore::mark_handled(Actor viewer, std::int64_t id, AuditEvent audit) {
  pg::Statement update("UPDATE sms_replies r SET handled_at = now(), handled_by = $1", viewer.user_id);
  const auto id_param = param(update, id);
  update.sql += " WHERE r.id = " + id_param + " AND " + readable_replies(viewer, update) + " RETURNING 1";
  pg::Batch batch;
  batch.add(require_change(std::move(update), "no reply waiting to be read has this id"));
  batch.add(audit_insert(audit));
  co_await pool_.run(std::move(batch));
}

}  // namespace petitiond::store
