#include "server/store/inbox.hpp"

#include "server/store/petition_rows.hpp"

namespace petitiond::store {

namespace {

// The reader's in-app messages `d` (joined to their outbox message `o`): those about no petition, and those
// about a petition the reader may see now.
std::string readers_messages(const Actor& reader, pg::Statement& statement) {
  const auto user = param(statement, reader.user_id);
  const auto visible = visible_petitions_condition(reader, statement);
  return "d.user_id = " + user +
         " AND d.channel = 'in_app' AND d.state = 'sent' AND (o.petition_id IS NULL OR EXISTS ("
         "SELECT 1 FROM petitions p WHERE p.id = o.petition_id AND " +
         visible + "))";
}

pg::Statement unread_count(const Actor& reader) {
  pg::Statement count("");
  count.sql = "SELECT count(*) FROM notification_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE " +
              readers_messages(reader, count) + " AND d.read_at IS NULL";
  return count;
}

}  // namespace

boost::asio::awaitable<Inbox> InboxStore::list(Actor reader, int limit, std::optional<std::int64_t> before) {
  pg::Statement page("");
  const auto mine = readers_messages(reader, page);
  const auto before_param = param(page, before);
  const auto limit_param = param(page, limit);
  page.sql =
      "SELECT d.id, iso_local(d.sent_at), d.topic, coalesce(d.title, ''), coalesce(d.text, ''), o.petition_id,"
      " (SELECT tracking_code FROM petitions WHERE id = o.petition_id), d.read_at IS NOT NULL"
      " FROM notification_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE " +
      mine + " AND (" + before_param + "::bigint IS NULL OR d.id < " + before_param + ") ORDER BY d.id DESC LIMIT " +
      limit_param;
  pg::Batch batch;
  const auto page_at = batch.add(std::move(page));
  const auto unread_at = batch.add(unread_count(reader));
  auto results = co_await pool_.run(std::move(batch));
  Inbox inbox;
  const auto& rows = results[page_at];
  for (int row = 0; row < rows.rows(); ++row) {
    InboxMessage m;
    m.id = rows.integer(row, 0);
    m.at = rows.text(row, 1);
    m.topic = rows.text(row, 2);
    m.title = rows.text(row, 3);
    m.text = rows.text(row, 4);
    if (!rows.is_null(row, 5)) m.petition_id = rows.integer(row, 5);
    m.tracking_code = rows.optional_text(row, 6);
    m.read = rows.boolean(row, 7);
    inbox.messages.push_back(std::move(m));
  }
  inbox.unread = results[unread_at].integer(0, 0);
  co_return inbox;
}

boost::asio::awaitable<std::int64_t> InboxStore::mark_read(Actor reader, std::optional<std::vector<std::int64_t>> ids) {
  pg::Statement mark("");
  const auto mine = readers_messages(reader, mark);
  const auto ids_param = param(mark, ids ? std::optional(pg::ids_literal(*ids)) : std::nullopt);
  mark.sql = "UPDATE notification_deliveries d SET read_at = now() FROM outbox o WHERE o.id = d.outbox_id AND " + mine +
             " AND d.read_at IS NULL AND (" + ids_param + "::bigint[] IS NULL OR d.id = ANY (" + ids_param +
             "::bigint[]))";
  pg::Batch batch;
  batch.add(std::move(mark));
  const auto unread_at = batch.add(unread_count(reader));
  auto results = co_await pool_.run(std::move(batch));
  co_return results[unread_at].integer(0, 0);
}

}  // namespace petitiond::store
