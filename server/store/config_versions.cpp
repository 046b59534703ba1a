#include "server/store/config_versions.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/pg/blocking_connection.hpp"

namespace petitiond::store {
using boost::asio::awaitable;

namespace {

const char* const versions_query =
    "SELECT v.kind, v.name, v.version, v.source, v.origin, iso_local(v.created_at), u.login"
    " FROM config_versions v LEFT JOIN users u ON u.id = v.created_by WHERE v.kind = $1 ORDER BY v.name, v.version";

const char* const activations_query =
    "SELECT a.kind, a.name, a.version, a.migration::text, iso_local(a.activated_at), u.login"
    " FROM config_activations a LEFT JOIN users u ON u.id = a.activated_by WHERE a.kind = $1"
    " ORDER BY a.id DESC";

const char* const active_query =
    "SELECT DISTINCT ON (a.name) a.kind, a.name, a.version, a.migration::text, iso_local(a.activated_at), u.login"
    " FROM config_activations a LEFT JOIN users u ON u.id = a.activated_by WHERE a.kind = $1"
    " ORDER BY a.name, a.id DESC";

std::vector<ConfigVersion> versions_from(const pg::Result& r) {
  std::vector<ConfigVersion> out;
  for (int row = 0; row < r.rows(); ++row)
    out.push_back({std::string(r.text(row, 0)), std::string(r.text(row, 1)), static_cast<int>(r.integer(row, 2)),
                   std::string(r.text(row, 3)), std::string(r.text(row, 4)), std::string(r.text(row, 5)),
                   r.optional_text(row, 6)});
  return out;
}

std::vector<ConfigActivation> activations_from(const pg::Result& r) {
  std::vector<ConfigActivation> out;
  for (int row = 0; row < r.rows(); ++row) {
    ConfigActivation a{std::string(r.text(row, 0)),         std::string(r.text(row, 1)),
                       static_cast<int>(r.integer(row, 2)), std::nullopt,
                       std::string(r.text(row, 4)),         r.optional_text(row, 5)};
    if (auto migration = r.optional_text(row, 3)) a.migration = boost::json::parse(*migration);
    out.push_back(std::move(a));
  }
  return out;
}

std::map<std::string, ConfigActivation> by_name(std::vector<ConfigActivation> activations) {
  std::map<std::string, ConfigActivation> out;
  for (auto& a : activations) out.emplace(a.name, std::move(a));
  return out;
}

pg::Statement activation_insert(const ConfigActivation& a, std::optional<std::int64_t> by) {
  std::optional<std::string> migration;
  if (a.migration) migration = boost::json::serialize(*a.migration);
  return pg::Statement(
      "INSERT INTO config_activations (kind, name, version, migration, activated_by) VALUES ($1, $2, $3, $4::jsonb, "
      "$5)",
      a.kind, a.name, a.version, migration, by);
}

pg::Statement notify(const std::string& kind) {
  return pg::Statement("SELECT pg_notify($1, $2)", std::string(config_channel), kind);
}

const char* const in_force_query =
    "SELECT v.kind, v.name, v.version, v.source, v.origin, iso_local(v.created_at), u.login"
    " FROM (SELECT version FROM config_activations WHERE kind = $1 AND name = $2 ORDER BY id DESC LIMIT 1) a"
    " JOIN config_versions v ON v.kind = $1 AND v.name = $2 AND v.version = a.version"
    " LEFT JOIN users u ON u.id = v.created_by";

std::optional<ConfigVersion> first(std::vector<ConfigVersion> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

}  // namespace

awaitable<std::optional<ConfigVersion>> ConfigVersionStore::in_force(std::string kind, std::string name) {
  co_return first(versions_from(co_await pool_.run_one(pg::Statement(in_force_query, kind, name))));
}

std::optional<ConfigVersion> ConfigVersionStore::in_force_blocking(const std::string& database_url,
                                                                   const std::string& kind, const std::string& name) {
  pg::BlockingConnection db(database_url);
  return first(versions_from(db.exec(in_force_query, {kind, name})));
}

awaitable<std::vector<ConfigVersion>> ConfigVersionStore::versions(std::string kind) {
  co_return versions_from(co_await pool_.run_one(pg::Statement(versions_query, kind)));
}

std::vector<ConfigVersion> ConfigVersionStore::versions_blocking(const std::string& database_url,
                                                                 const std::string& kind) {
  pg::BlockingConnection db(database_url);
  return versions_from(db.exec(versions_query, {kind}));
}

awaitable<std::map<std::string, ConfigActivation>> ConfigVersionStore::active(std::string kind) {
  co_return by_name(activations_from(co_await pool_.run_one(pg::Statement(active_query, kind))));
}

std::map<std::string, ConfigActivation> ConfigVersionStore::active_blocking(const std::string& database_url,
                                                                            const std::string& kind) {
  pg::BlockingConnection db(database_url);
  return by_name(activations_from(db.exec(active_query, {kind})));
}

awaitable<std::vector<ConfigActivation>> ConfigVersionStore::activations(std::string kind) {
  co_return activations_from(co_await pool_.run_one(pg::Statement(activations_query, kind)));
}

awaitable<int> ConfigVersionStore::next_version(std::string kind, std::string name) {
  auto r = co_await pool_.run_one(pg::Statement(
      "SELECT coalesce(max(version), 0) + 1 FROM config_versions WHERE kind = $1 AND name = $2", kind, name));
  co_return static_cast<int>(r.integer(0, 0));
}

awaitable<void> ConfigVersionStore::add(ConfigVersion v, std::optional<std::int64_t> by, AuditEvent audit,
                                        bool activate) {
  pg::Batch batch;
  batch.add(pg::Statement(
      "INSERT INTO config_versions (kind, name, version, source, origin, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
      v.kind, v.name, v.version, v.source, v.origin, by));
  batch.add(audit_insert(audit));
  if (activate) batch.add(activation_insert({v.kind, v.name, v.version, std::nullopt, {}, {}}, by));
  batch.add(notify(v.kind));  // every process loads the new version, to show it or to run it
  co_await pool_.run(std::move(batch));
}

void ConfigVersionStore::add_blocking(const std::string& database_url, const ConfigVersion& v,
                                      const std::string& action, const std::string& actor_login,
                                      const boost::json::object& details) {
  pg::BlockingConnection db(database_url);
  db.exec("BEGIN");
  db.exec("INSERT INTO config_versions (kind, name, version, source, origin) VALUES ($1, $2, $3, $4, $5)",
          {v.kind, v.name, std::to_string(v.version), v.source, v.origin});
  db.exec(
      "INSERT INTO audit_log (action, actor_login, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5::jsonb)",
      {action, actor_login, v.kind, v.name + "/" + std::to_string(v.version), boost::json::serialize(details)});
  db.exec("COMMIT");
}

awaitable<std::vector<pg::Result>> ConfigVersionStore::activate(ConfigActivation activation,
                                                                std::optional<std::int64_t> by, AuditEvent audit,
                                                                std::vector<pg::Statement> also) {
  pg::Batch batch;
  batch.add(pg::Statement("SELECT pg_advisory_xact_lock(hashtext('config_versions:' || $1))", activation.kind));
  std::vector<pg::Batch::Handle> handles;
  for (auto& statement : also) handles.push_back(batch.add(std::move(statement)));
  batch.add(activation_insert(activation, by));
  batch.add(audit_insert(audit));
  batch.add(notify(activation.kind));
  auto results = co_await pool_.run(std::move(batch));
  std::vector<pg::Result> out;
  for (auto handle : handles) out.push_back(results[handle]);
  co_return out;
}

}  // namespace petitiond::store
