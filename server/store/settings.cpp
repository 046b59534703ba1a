#include "server/store/settings.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace petitiond::store {

boost::asio::awaitable<std::optional<boost::json::value>> SettingsStore::get(std::string key) {
  auto result = co_await pool_.run_one(pg::Statement("SELECT value::text FROM settings WHERE key = $1", key));
  if (result.rows() == 0) co_return std::nullopt;
  co_return boost::json::parse(result.text(0, 0));
}

boost::asio::awaitable<void> SettingsStore::set(std::string key, boost::json::value value, AuditEvent audit) {
  pg::Batch batch;
  batch.add(
      pg::Statement("INSERT INTO settings (key, value) VALUES ($1, $2::jsonb)"
                    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                    key, boost::json::serialize(value)));
  batch.add(audit_insert(audit));
  co_await pool_.run(std::move(batch));
}

}  // namespace petitiond::store
