// The workflow: the definition in force (or any version) for the web app's graph and forms, and for admins
// the versions installed, a new version uploaded as YAML (checked whole, shown as a diff against the one in
// force), and a version activated, optionally moving the running petitions of another version to it.
#include <boost/json/value_from.hpp>

#include "server/api/petition_views.hpp"
#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/diff.hpp"
#include "workflow/graph.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

json::object definition_view(const workflow::Definition& d) {
  json::array states, transitions, clocks, escalations;
  for (const auto& s : d.states)
    states.push_back(json::object{
        {"name", s.name}, {"label", label_view(s.label)}, {"initial", s.initial}, {"terminal", s.terminal}});
  for (const auto& t : d.transitions)
    transitions.push_back(json::object{{"name", t.name},
                                       {"label", label_view(t.label)},
                                       {"from", json::value_from(t.from)},
                                       {"to", t.to},
                                       {"roles", json::value_from(t.roles)},
                                       {"requires", json::value_from(t.required_fields)},
                                       {"notify", json::value_from(t.notify)}});
  for (const auto& c : d.clocks) {
    json::object limits;
    if (c.default_duration) limits["default"] = workflow::describe(*c.default_duration);
    for (const auto& [type, duration] : c.by_type) limits["type:" + type] = workflow::describe(duration);
    for (const auto& [urgency, duration] : c.by_urgency) limits["urgency:" + urgency] = workflow::describe(duration);
    clocks.push_back(json::object{{"name", c.name},
                                  {"label", label_view(c.label)},
                                  {"start_on", json::value_from(c.start_on)},
                                  {"stop_on", json::value_from(c.stop_on)},
                                  {"warn_at", json::value_from(c.warn_at)},
                                  {"limits", std::move(limits)},
                                  {"window", c.window}});
  }
  for (const auto& e : d.escalations) {
    json::array actions;
    for (const auto& [action, target] : e.actions)
      actions.push_back(json::array{json::string(action), json::string(target)});
    const char* when = e.when == workflow::EscalationRule::When::warning  ? "warning"
                       : e.when == workflow::EscalationRule::When::breach ? "breach"
                                                                          : "after_breach";
    escalations.push_back(json::object{{"clock", e.clock},
                                       {"when", when},
                                       {"percent", e.percent},
                                       {"after", e.after ? json::value(workflow::describe(*e.after)) : nullptr},
                                       {"levels", json::value_from(e.levels)},
                                       {"actions", std::move(actions)}});
  }
  return {{"workflow", d.workflow},      {"version", d.version},
          {"states", std::move(states)}, {"transitions", std::move(transitions)},
          {"clocks", std::move(clocks)}, {"escalations", std::move(escalations)}};
}

json::array diff_view(const workflow::Definition& from, const workflow::Definition& to) {
  json::array out;
  for (const auto& c : workflow::diff(from, to))
    out.push_back(json::object{{"what", c.what},
                               {"change", c.change},
                               {"name", c.name},
                               {"aspect", c.aspect.empty() ? json::value(nullptr) : json::value(c.aspect)},
                               {"before", c.before.empty() ? json::value(nullptr) : json::value(c.before)},
                               {"after", c.after.empty() ? json::value(nullptr) : json::value(c.after)}});
  return out;
}

// A version with what an admin needs to decide on it: its graph, and how it differs from the one in force.
json::object version_detail(Services& services, const workflow::Definition& d) {
  const auto& active = services.workflows.set().active(d.workflow);
  auto view = definition_view(d);
  view["active"] = active.version == d.version;
  view["compared_with"] = active.version;
  view["diff"] = diff_view(active, d);
  view["dot"] = workflow::to_dot(d);
  return view;
}

awaitable<Response> workflow_view(Services& services, RequestContext& context) {
  const auto& set = services.workflows.set();
  if (auto version = http::query_integer(context, "version", 1, 1'000'000))
    co_return http::json_response(http::Status::ok,
                                  definition_view(set.version("petition", static_cast<int>(*version))));
  co_return http::json_response(http::Status::ok, definition_view(set.active("petition")));
}

awaitable<Response> list_workflows(Services& services, RequestContext&) {
  auto versions = co_await services.workflows.versions();
  auto activations = co_await services.workflows.activations();
  std::map<std::string, json::array> by_workflow;
  for (const auto& v : versions) {
    const auto& d = *v.definition;
    by_workflow[d.workflow].push_back(json::object{{"version", d.version},
                                                   {"origin", v.origin},
                                                   {"active", v.active},
                                                   {"created_at", v.created_at ? json::value(*v.created_at) : nullptr},
                                                   {"created_by", v.created_by ? json::value(*v.created_by) : nullptr},
                                                   {"states", d.states.size()},
                                                   {"transitions", d.transitions.size()},
                                                   {"clocks", d.clocks.size()},
                                                   {"escalations", d.escalations.size()}});
  }
  json::array workflows;
  for (auto& [name, list] : by_workflow)
    workflows.push_back(json::object{{"name", name},
                                     {"active_version", services.workflows.set().active(name).version},
                                     {"versions", std::move(list)}});
  json::array history;
  for (const auto& a : activations)
    history.push_back(json::object{{"workflow", a.name},
                                   {"version", a.version},
                                   {"migration", a.migration ? *a.migration : json::value(nullptr)},
                                   {"activated_at", a.activated_at},
                                   {"activated_by", a.activated_by ? json::value(*a.activated_by) : nullptr}});
  co_return http::json_response(http::Status::ok,
                                {{"workflows", std::move(workflows)}, {"activations", std::move(history)}});
}

awaitable<Response> get_version(Services& services, RequestContext& context) {
  const auto& d =
      services.workflows.set().version(std::string(context.param("name")), http::path_version(context, "version", 1));
  co_return http::json_response(http::Status::ok, version_detail(services, d));
}

awaitable<Response> upload(Services& services, RequestContext& context) {
  auto yaml = http::yaml_body(context.request);
  const auto& actor = actor_of(context);
  const auto* d = co_await services.workflows.install(std::move(yaml), "upload", actor.user_id,
                                                      audit_event(context, "workflow.installed"));
  co_return http::json_response(http::Status::created, version_detail(services, *d));
}

awaitable<Response> activate(Services& services, RequestContext& context) {
  const std::string name(context.param("name"));
  const int version = http::path_version(context, "version", 1);
  std::optional<store::WorkflowMigration> migration;
  if (!context.request.body().empty()) {
    auto body = http::json_object_body(context.request);
    for (const auto& field : body)
      if (field.key() != "migration") throw Error(Errc::invalid_field, "unknown field", std::string(field.key()));
    if (auto it = body.find("migration"); it != body.end() && !it->value().is_null()) {
      if (!it->value().is_object())
        throw Error(Errc::invalid_field, "must be an object: from_version and states", "migration");
      const auto& m = it->value().as_object();
      migration.emplace();
      for (const auto& field : m)
        if (field.key() != "from_version" && field.key() != "states")
          throw Error(Errc::invalid_field, "unknown field", "migration." + std::string(field.key()));
      auto from = m.find("from_version");
      if (from == m.end() || !from->value().is_int64() || from->value().as_int64() <= 0 ||
          from->value().as_int64() > 1'000'000)
        throw Error(Errc::invalid_field, "must be the version whose running petitions move", "migration.from_version");
      migration->from_version = static_cast<int>(from->value().as_int64());
      if (auto states = m.find("states"); states != m.end()) {
        if (!states->value().is_object())
          throw Error(Errc::invalid_field, "must map each old state to a new one", "migration.states");
        for (const auto& [old_state, new_state] : states->value().as_object()) {
          if (!new_state.is_string() || new_state.as_string().size() > 64)
            throw Error(Errc::invalid_field, "must be a state name", "migration.states." + std::string(old_state));
          migration->states[std::string(old_state)] = std::string(new_state.as_string());
        }
      }
    }
  }
  const auto& actor = actor_of(context);
  auto outcome = co_await services.workflows.activate(name, version, std::move(migration), actor.user_id,
                                                      audit_event(context, "workflow.activated"));
  co_return http::json_response(http::Status::ok,
                                {{"workflow", name},
                                 {"version", version},
                                 {"previous_version", outcome.previous ? json::value(*outcome.previous) : nullptr},
                                 {"migrated_petitions", outcome.migrated ? json::value(*outcome.migrated) : nullptr}});
}

}  // namespace

void add_workflow_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/workflow", http::Access::users(),
             [&services](RequestContext& c) { return workflow_view(services, c); });
  router.add(http::Verb::get, "/api/v1/workflows", admins,
             [&services](RequestContext& c) { return list_workflows(services, c); });
  router.add(
      http::Verb::post, "/api/v1/workflows", admins, [&services](RequestContext& c) { return upload(services, c); },
      256 * 1024);
  router.add(http::Verb::get, "/api/v1/workflows/{name}/{version}", admins,
             [&services](RequestContext& c) { return get_version(services, c); });
  router.add(http::Verb::post, "/api/v1/workflows/{name}/{version}/activate", admins,
             [&services](RequestContext& c) { return activate(services, c); });
}

}  // namespace petitiond::api
