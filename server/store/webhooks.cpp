#include "server/store/webhooks.hpp"

namespace petitiond::store {
namespace {

constexpr const char* webhook_columns = "id, name, url, topics::text, active, iso_local(created_at)";

Webhook webhook_from(const pg::Result& rows, int row) {
  return {rows.integer(row, 0), std::string(rows.text(row, 1)), std::string(rows.text(row, 2)),
          rows.words(row, 3),   rows.boolean(row, 4),           std::string(rows.text(row, 5))};
}

}  // namespace

boost::asio::awaitable<std::vector<Webhook>> WebhookStore::list() {
  auto rows =
      co_await pool_.run_one(pg::Statement(std::string("SELECT ") + webhook_columns + " FROM webhooks ORDER BY id"));
  std::vector<Webhook> webhooks;
  for (int row = 0; row < rows.rows(); ++row) webhooks.push_back(webhook_from(rows, row));
  co_return webhooks;
}

boost::asio::awaitable<Webhook> WebhookStore::create(std::string name, std::string url, std::string secret,
                                                     std::vector<std::string> topics, AuditEvent audit) {
  pg::Batch batch;
  auto created = batch.add(pg::Statement(
      std::string("INSERT INTO webhooks (name, url, secret, topics) VALUES ($1, $2, $3, $4::text[]) RETURNING ") +
          webhook_columns,
      name, url, secret, pg::words_literal(topics)));
  batch.add(audit_insert(audit));
  auto results = co_await pool_.run(std::move(batch));
  co_return webhook_from(results[created], 0);
}

boost::asio::awaitable<Webhook> WebhookStore::change(std::int64_t id, WebhookChange change, AuditEvent audit) {
  pg::Batch batch;
  batch.add(require_change(
      {"UPDATE webhooks SET name = coalesce($2, name), url = coalesce($3, url), topics = coalesce($4::text[], topics),"
       " active = coalesce($5, active) WHERE id = $1 RETURNING 1",
       id, change.name, change.url, change.topics ? std::optional(pg::words_literal(*change.topics)) : std::nullopt,
       change.active},
      "no webhook has this id"));
  batch.add(audit_insert(audit));
  auto changed =
      batch.add(pg::Statement(std::string("SELECT ") + webhook_columns + " FROM webhooks WHERE id = $1", id));
  auto results = co_await pool_.run(std::move(batch));
  co_return webhook_from(results[changed], 0);
}

boost::asio::awaitable<void> WebhookStore::remove(std::int64_t id, AuditEvent audit) {
  pg::Batch batch;
  batch.add(require_change({"DELETE FROM webhooks WHERE id = $1 RETURNING 1", id}, "no webhook has this id"));
  batch.add(audit_insert(audit));
  co_await pool_.run(std::move(batch));
}

}  // namespace petitiond::store
