#include "server/store/settings.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/pg/blocking_connection.hpp"
#include "server/store/config_versions.hpp"

namespace petitiond::store {

boost::asio::awaitable<std::optional<boost::json::value>> SettingsStore::get(std::string key) {
  auto result = co_await pool_.run_one(pg::Statement("SELECT value::text FROM settings WHERE key = $1", key));
  if (result.rows() == 0) co_return std::nullopt;
  co_return boost::json::parse(result.text(0, 0));
}

std::optional<boost::json::value> SettingsStore::get_blocking(const std::string& database_url, const std::string& key) {
  pg::BlockingConnection db(database_url);
  auto result = db.exec("SELECT value::text FROM settings WHERE key = $1", {key});
  if (result.rows() == 0) return std::nullopt;
  return boost::json::parse(result.text(0, 0));
}

boost::asio::awaitable<std::map<std::string, StoredSetting>> SettingsStore::all() {
  auto result = co_await pool_.run_one(pg::Statement("SELECT key, value::text, iso_local(updated_at) FROM settings"));
  std::map<std::string, StoredSetting> out;
  for (int row = 0; row < result.rows(); ++row)
    out[std::string(result.text(row, 0))] = {boost::json::parse(result.text(row, 1)), std::string(result.text(row, 2))};
  co_return out;
}

boost::asio::awaitable<void> SettingsStore::set(std::string key, boost::json::value value, AuditEvent audit) {
  std::vector<std::pair<std::string, boost::json::value>> values;
  values.emplace_back(std::move(key), std::move(value));
  co_await set(std::move(values), std::move(audit));
}

boost::asio::awaitable<void> SettingsStore::set(std::vector<std::pair<std::string, boost::json::value>> values,
                                                AuditEvent audit) {
  pg::Batch batch;
  for (const auto& [key, value] : values)
    batch.add(
        pg::Statement("INSERT INTO settings (key, value) VALUES ($1, $2::jsonb)"
                      " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                      key, boost::json::serialize(value)));
  batch.add(audit_insert(audit));
  batch.add(pg::Statement("SELECT pg_notify($1, 'settings')", std::string(config_channel)));
  co_await pool_.run(std::move(batch));
}

}  // namespace petitiond::store
