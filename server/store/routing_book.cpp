#include "server/store/routing_book.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"
#include "server/logging/log.hpp"

namespace petitiond::store {
using boost::asio::awaitable;

namespace {

constexpr const char* table_name = "default";

workflow::RoutingTable load(const std::string& yaml, int version) {
  auto loaded = workflow::load_routing(yaml, "routing version " + std::to_string(version));
  if (!loaded.problems.empty())
    throw std::runtime_error("routing version " + std::to_string(version) +
                             " no longer loads: " + loaded.problems.front().to_string());
  return std::move(loaded.table);
}

}  // namespace

std::vector<std::pair<std::string, int>> units_named(const workflow::RoutingTable& table) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& rule : table.rules) {
    if (rule.lead.kind == workflow::Target::Kind::unit) out.emplace_back(rule.lead.value, rule.line);
    for (const auto& co : rule.co)
      if (co.kind == workflow::Target::Kind::unit) out.emplace_back(co.value, rule.line);
  }
  return out;
}

RoutingBook::RoutingBook(pg::Pool& pool, workflow::RoutingTable from_file)
    : pool_(pool),
      store_(pool),
      from_file_(std::make_shared<const workflow::RoutingTable>(std::move(from_file))),
      current_(from_file_) {
  const auto& url = pool.options().connect.url;
  install_active(ConfigVersionStore::in_force_blocking(url, "routing", table_name));
}

void RoutingBook::install_active(std::optional<ConfigVersion> row) {
  auto table = row ? std::make_shared<const workflow::RoutingTable>(load(row->source, row->version)) : from_file_;
  std::lock_guard lock(mutex_);
  current_ = std::move(table);
  active_version_ = row ? row->version : 0;
}

std::shared_ptr<const workflow::RoutingTable> RoutingBook::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

int RoutingBook::active_version() const {
  std::lock_guard lock(mutex_);
  return active_version_;
}

awaitable<void> RoutingBook::reload() { install_active(co_await store_.in_force("routing", table_name)); }

awaitable<std::vector<RoutingVersionInfo>> RoutingBook::versions() {
  auto rows = co_await store_.versions("routing");
  const int active = active_version();
  std::vector<RoutingVersionInfo> out;
  out.push_back({0, "file", "", std::nullopt, active == 0, from_file_->categories().size(), from_file_->rules.size()});
  for (const auto& row : rows) {
    auto loaded = workflow::load_routing(row.source, "stored");
    out.push_back({row.version, row.origin, row.created_at, row.created_by, active == row.version,
                   loaded.table.categories().size(), loaded.table.rules.size()});
  }
  co_return out;
}

awaitable<std::shared_ptr<const workflow::RoutingTable>> RoutingBook::version(int version) {
  if (version == 0) co_return from_file_;
  for (const auto& row : co_await store_.versions("routing"))
    if (row.version == version) co_return std::make_shared<const workflow::RoutingTable>(load(row.source, version));
  throw Error(Errc::not_found, "no routing version " + std::to_string(version));
}

workflow::RoutingTable RoutingBook::checked(std::string_view yaml) const {
  auto loaded = workflow::load_routing(yaml, "upload");
  std::vector<ErrorProblem> problems;
  for (const auto& p : loaded.problems) problems.push_back({p.message, "table", p.line});
  if (problems.empty()) {
    const auto in_force = current();
    const auto categories = loaded.table.categories();
    for (const auto& category : in_force->categories())
      if (std::find(categories.begin(), categories.end(), category) == categories.end())
        problems.push_back({"category " + category + " is in use; the table must keep a rule for it", "table", 0});
  }
  if (!problems.empty()) throw Error(Errc::invalid_field, std::move(problems));
  return std::move(loaded.table);
}

awaitable<int> RoutingBook::install(std::string yaml, std::string origin, std::optional<std::int64_t> by,
                                    AuditEvent audit) {
  checked(yaml);
  const int version = co_await store_.next_version("routing", table_name);
  audit.target_type = "routing";
  audit.target_id = std::to_string(version);
  ConfigVersion row{"routing", table_name, version, std::move(yaml), std::move(origin), {}, {}};
  co_await store_.add(std::move(row), by, std::move(audit));
  co_return version;
}

awaitable<void> RoutingBook::activate(int version, std::optional<std::int64_t> by, AuditEvent audit) {
  if (version != 0) co_await this->version(version);  // not_found for a version nobody stored
  audit.target_type = "routing";
  audit.target_id = std::to_string(version);
  audit.details["previous_version"] = active_version();
  ConfigActivation activation{"routing", table_name, version, std::nullopt, {}, {}};
  co_await store_.activate(std::move(activation), by, std::move(audit));
  co_await reload();
}

}  // namespace petitiond::store
