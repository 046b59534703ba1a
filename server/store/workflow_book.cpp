#include "server/store/workflow_book.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <regex>
#include <stdexcept>

#include "core/error.hpp"
#include "server/logging/log.hpp"
#include "workflow/migration.hpp"

namespace petitiond::store {
using boost::asio::awaitable;

namespace {

// The line of a top-level key, for a problem about its value.
int line_of(std::string_view yaml, const std::string& key) {
  int line = 1;
  const std::regex pattern("^" + key + "\\s*:");
  std::string_view::size_type start = 0;
  while (start <= yaml.size()) {
    auto end = yaml.find('\n', start);
    if (end == std::string_view::npos) end = yaml.size();
    const std::string text(yaml.substr(start, end - start));
    if (std::regex_search(text, pattern)) return line;
    ++line;
    start = end + 1;
  }
  return 0;
}

}  // namespace

workflow::Definition checked_workflow(std::string_view yaml, const std::string& file_name,
                                      const workflow::WorkflowSet& held) {
  auto loaded = workflow::load_definition(yaml, file_name);
  std::vector<ErrorProblem> problems;
  for (const auto& p : loaded.problems) problems.push_back({p.message, "definition", p.line});
  if (problems.empty()) {
    const auto& d = loaded.definition;
    bool known = false;
    for (const auto* held_definition : held.all()) known = known || held_definition->workflow == d.workflow;
    if (!known)
      problems.push_back({"petitiond runs no workflow named " + d.workflow, "workflow", line_of(yaml, "workflow")});
    else if (d.version < first_installed_version)
      problems.push_back({"versions below " + std::to_string(first_installed_version) +
                              " are kept for the definitions shipped with petitiond; number yours from " +
                              std::to_string(std::max(first_installed_version, held.newest(d.workflow).version + 1)),
                          "version", line_of(yaml, "version")});
    else if (held.contains(d.workflow, d.version))
      problems.push_back({"version " + std::to_string(d.version) + " of " + d.workflow +
                              " exists already; number the new definition " +
                              std::to_string(held.newest(d.workflow).version + 1),
                          "version", line_of(yaml, "version")});
  }
  if (!problems.empty()) throw Error(Errc::invalid_field, std::move(problems));
  return std::move(loaded.definition);
}

WorkflowBook::WorkflowBook(pg::Pool& pool, workflow::WorkflowSet& set) : pool_(pool), store_(pool), set_(set) {
  for (const auto* d : set_.all()) shipped_.insert({d->workflow, d->version});
  const auto& url = pool.options().connect.url;
  install_rows(ConfigVersionStore::versions_blocking(url, "workflow"),
               ConfigVersionStore::active_blocking(url, "workflow"));
}

void WorkflowBook::install_rows(const std::vector<ConfigVersion>& rows,
                                const std::map<std::string, ConfigActivation>& active) {
  for (const auto& row : rows) {
    if (set_.contains(row.name, row.version)) continue;
    auto loaded = workflow::load_definition(row.source, "installed " + row.name + " v" + std::to_string(row.version));
    if (!loaded.problems.empty())
      throw std::runtime_error("installed workflow " + row.name + " version " + std::to_string(row.version) +
                               " no longer loads: " + loaded.problems.front().to_string());
    set_.add(std::move(loaded.definition));
    spdlog::info("workflow {} version {} installed by an admin loaded", row.name, row.version);
  }
  // With no activation, a workflow runs the newest version it shipped with.
  std::map<std::string, int> in_force;
  for (const auto& [name, version] : shipped_) in_force[name] = std::max(in_force[name], version);
  for (const auto& [name, activation] : active) in_force[name] = activation.version;
  set_.set_active(in_force);
}

awaitable<void> WorkflowBook::reload() {
  auto rows = co_await store_.versions("workflow");
  auto active = co_await store_.active("workflow");
  install_rows(rows, active);
  for (const auto& [name, activation] : active)
    spdlog::info("workflow {}: version {} in force for new petitions", name, activation.version);
}

awaitable<std::vector<WorkflowVersionInfo>> WorkflowBook::versions() {
  auto rows = co_await store_.versions("workflow");
  std::map<std::pair<std::string, int>, const ConfigVersion*> stored;
  for (const auto& row : rows) stored[{row.name, row.version}] = &row;
  std::vector<WorkflowVersionInfo> out;
  for (const auto* d : set_.all()) {
    WorkflowVersionInfo info{d, "shipped", std::nullopt, std::nullopt, set_.active(d->workflow).version == d->version};
    if (auto it = stored.find({d->workflow, d->version}); it != stored.end() && !shipped_.count(it->first)) {
      info.origin = it->second->origin;
      info.created_at = it->second->created_at;
      info.created_by = it->second->created_by;
    }
    out.push_back(info);
  }
  co_return out;
}

awaitable<std::vector<ConfigActivation>> WorkflowBook::activations() { return store_.activations("workflow"); }

awaitable<const workflow::Definition*> WorkflowBook::install(std::string yaml, std::string origin,
                                                             std::optional<std::int64_t> by, AuditEvent audit) {
  co_await reload();  // another process may have taken a number since
  auto definition = checked_workflow(yaml, "upload", set_);
  const auto name = definition.workflow;
  const auto version = definition.version;
  audit.target_type = "workflow";
  audit.target_id = name + "/" + std::to_string(version);
  ConfigVersion row{"workflow", name, version, std::move(yaml), std::move(origin), {}, {}};
  co_await store_.add(std::move(row), by, std::move(audit));  // GCC 12: no braced temporaries inside co_await
  if (!set_.contains(name, version)) set_.add(std::move(definition));
  co_return &set_.version(name, version);
}

awaitable<ActivationOutcome> WorkflowBook::activate(std::string name, int version,
                                                    std::optional<WorkflowMigration> migration,
                                                    std::optional<std::int64_t> by, AuditEvent audit) {
  co_await reload();
  const auto& target = set_.version(name, version);  // Error(not_found) for a version nobody installed
  ActivationOutcome outcome;
  outcome.previous = set_.active(name).version;
  audit.target_type = "workflow";
  audit.target_id = name + "/" + std::to_string(version);
  audit.details["previous_version"] = *outcome.previous;
  ConfigActivation activation{"workflow", name, version, std::nullopt, {}, {}};
  std::vector<pg::Statement> also;
  if (migration) {
    if (!set_.contains(name, migration->from_version))
      throw Error(Errc::invalid_field,
                  "workflow " + name + " has no version " + std::to_string(migration->from_version),
                  "migration.from_version");
    const auto mapping =
        workflow::migration_mapping(set_.version(name, migration->from_version), target, migration->states);
    boost::json::object states;
    for (const auto& [from, to] : mapping) states[from] = to;
    activation.migration = boost::json::object{{"from_version", migration->from_version}, {"states", states}};
    audit.details["migration"] = *activation.migration;
    // Every running petition of the old version, one statement; `version + 1` makes an action prepared on the
    // old version fail as a concurrent change and be tried again on the new one. A timeline entry records the
    // move, dated when the petition entered its state and naming its previous state in the new version's
    // terms, so that what is derived from the timeline (the state to go back to, when a state was entered)
    // reads the new names.
    also.emplace_back(
        "WITH moving AS (SELECT p.id, p.state,"
        "   (SELECT e.from_state FROM petition_events e WHERE e.petition_id = p.id AND e.to_state = p.state"
        "     AND e.from_state IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS previous,"
        "   (SELECT e.at FROM petition_events e WHERE e.petition_id = p.id AND e.to_state = p.state"
        "     ORDER BY e.id DESC LIMIT 1) AS entered"
        "  FROM petitions p WHERE p.workflow = $1 AND p.workflow_version = $2 AND $4::jsonb ? p.state FOR UPDATE OF p),"
        " moved AS (UPDATE petitions p SET workflow_version = $3, state = $4::jsonb ->> m.state,"
        "   version = p.version + 1 FROM moving m WHERE p.id = m.id RETURNING p.id),"
        " logged AS (INSERT INTO petition_events (petition_id, at, actor_name, action, from_state, to_state, fields)"
        "  SELECT m.id, coalesce(m.entered, now()), '系统', 'workflow_migrated',"
        "   coalesce($4::jsonb ->> m.previous, m.previous), $4::jsonb ->> m.state,"
        "   jsonb_build_object('from_version', $2::int, 'to_version', $3::int) FROM moving m)"
        " SELECT count(*) FROM moved",
        name, migration->from_version, version, boost::json::serialize(states));
  }
  auto results = co_await store_.activate(std::move(activation), by, std::move(audit), std::move(also));
  if (!results.empty()) outcome.migrated = results.front().integer(0, 0);
  co_await reload();
  co_return outcome;
}

}  // namespace petitiond::store
