// The routing table for the admin pages: its categories and rules (the file's, or a version an admin
// installed and activated: checked whole, shown as a diff, tried with "where would this go?"), and which unit
// plays each department function in this district (setting `routing.functions`, read on every routing).
#include <boost/json/value_from.hpp>

#include "server/api/petition_views.hpp"
#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

json::value target_view(const workflow::Target& target) {
  using Kind = workflow::Target::Kind;
  const char* kind = target.kind == Kind::unit                    ? "unit"
                     : target.kind == Kind::function              ? "function"
                     : target.kind == Kind::town_of_petitioner    ? "town_of_petitioner"
                     : target.kind == Kind::village_of_petitioner ? "village_of_petitioner"
                                                                  : "district";
  return json::object{{"kind", kind},
                      {"value", target.value.empty() ? json::value(nullptr) : json::value(target.value)}};
}

json::array rules_view(const workflow::RoutingTable& table) {
  json::array rules;
  for (const auto& rule : table.rules) {
    json::array co;
    for (const auto& target : rule.co) co.push_back(target_view(target));
    rules.push_back(json::object{{"category", rule.category},
                                 {"label", label_view(rule.label)},
                                 {"urgency", rule.urgency ? json::value(*rule.urgency) : json::value(nullptr)},
                                 {"lead", target_view(rule.lead)},
                                 {"co", std::move(co)},
                                 {"line", rule.line}});
  }
  return rules;
}

std::string target_text(const workflow::Target& target) {
  using Kind = workflow::Target::Kind;
  switch (target.kind) {
    case Kind::unit: return "unit " + target.value;
    case Kind::function:
      return "function " + target.value +
             (target.serving == 2   ? " serving town"
              : target.serving == 3 ? " serving village"
                                    : "");
    case Kind::town_of_petitioner: return "town_of_petitioner";
    case Kind::village_of_petitioner: return "village_of_petitioner";
    case Kind::district: return "district";
  }
  return "";
}

std::string rule_text(const workflow::RoutingRule& rule) {
  std::string co;
  for (const auto& target : rule.co) co += (co.empty() ? "" : ", ") + target_text(target);
  return "lead " + target_text(rule.lead) + (co.empty() ? "" : "; co " + co);
}

// Rules by (category, urgency): added, removed, or sending elsewhere.
json::array routing_diff(const workflow::RoutingTable& from, const workflow::RoutingTable& to) {
  std::map<std::string, std::pair<std::string, std::string>> keyed;
  auto key = [](const workflow::RoutingRule& r) { return r.category + (r.urgency ? " [" + *r.urgency + "]" : ""); };
  for (const auto& rule : from.rules) keyed[key(rule)].first = rule_text(rule);
  for (const auto& rule : to.rules) keyed[key(rule)].second = rule_text(rule);
  json::array out;
  for (const auto& [name, sides] : keyed) {
    if (sides.first == sides.second) continue;
    const char* change = sides.first.empty() ? "added" : sides.second.empty() ? "removed" : "changed";
    out.push_back(json::object{{"rule", name},
                               {"change", change},
                               {"before", sides.first.empty() ? json::value(nullptr) : json::value(sides.first)},
                               {"after", sides.second.empty() ? json::value(nullptr) : json::value(sides.second)}});
  }
  return out;
}

awaitable<Response> get_routing(Services& services, RequestContext&) {
  const auto current = services.routing.current();
  const auto& table = *current;
  auto assigned = co_await services.units.function_units();
  std::map<std::string, json::value> units;
  for (const auto& [function, unit] : assigned)
    units[function] = json::object{{"code", unit.code}, {"name", unit.name}, {"active", unit.active}};
  json::array functions;
  for (const auto& [name, code] : table.functions) {
    auto it = units.find(name);
    functions.push_back(json::object{{"name", name}, {"unit", it == units.end() ? json::value(nullptr) : it->second}});
  }
  co_return http::json_response(http::Status::ok, {{"file", table.file},
                                                   {"version", services.routing.active_version()},
                                                   {"rules", rules_view(table)},
                                                   {"functions", std::move(functions)}});
}

// {"functions": {"civil_affairs": "QS-MZ", "justice": null, …}}: the whole assignment, each function the
// table names given an active unit or null (nobody yet: petitions needing it are routed by hand).
awaitable<Response> put_functions(Services& services, RequestContext& context) {
  const auto current = services.routing.current();
  const auto& table = *current;
  auto body = http::json_object_body(context.request);
  auto it = body.find("functions");
  if (it == body.end() || !it->value().is_object())
    throw Error(Errc::invalid_field, "must be an object: each function's unit code, or null", "functions");
  for (const auto& field : body)
    if (field.key() != "functions") throw Error(Errc::invalid_field, "unknown field", std::string(field.key()));
  json::object assignment;
  std::vector<std::string> codes;
  for (const auto& [name, value] : it->value().as_object()) {
    const std::string field = "functions." + std::string(name);
    if (!table.functions.count(std::string(name)))
      throw Error(Errc::invalid_field, "the routing table has no such function", field);
    if (value.is_null()) continue;
    if (!value.is_string() || value.as_string().empty() || value.as_string().size() > 32)
      throw Error(Errc::invalid_field, "must be a unit code or null", field);
    assignment[name] = value;
    codes.emplace_back(value.as_string());
  }
  const auto active = co_await services.units.active_codes(std::move(codes));
  for (const auto& [name, value] : assignment)
    if (std::find(active.begin(), active.end(), std::string(value.as_string())) == active.end())
      throw Error(Errc::invalid_field, "no active unit has this code", "functions." + std::string(name));
  const json::value value(std::move(assignment));  // GCC 12: no temporaries inside a co_await expression
  co_await change_setting(services, context, "routing.functions", value, "functions");
  co_return co_await get_routing(services, context);
}

awaitable<Response> list_versions(Services& services, RequestContext&) {
  json::array out;
  for (const auto& v : co_await services.routing.versions())
    out.push_back(json::object{{"version", v.version},
                               {"origin", v.origin},
                               {"created_at", v.created_at.empty() ? json::value(nullptr) : json::value(v.created_at)},
                               {"created_by", v.created_by ? json::value(*v.created_by) : nullptr},
                               {"active", v.active},
                               {"categories", v.categories},
                               {"rules", v.rules}});
  co_return http::json_response(http::Status::ok, {{"versions", std::move(out)}});
}

json::object version_view(Services& services, int version, const workflow::RoutingTable& table) {
  const auto current = services.routing.current();
  return {{"version", version},
          {"active", services.routing.active_version() == version},
          {"source", table.source},
          {"rules", rules_view(table)},
          {"compared_with", services.routing.active_version()},
          {"diff", routing_diff(*current, table)}};
}

awaitable<Response> get_version(Services& services, RequestContext& context) {
  const int version = http::path_version(context, "routing_version", 0);
  const auto table = co_await services.routing.version(version);
  co_return http::json_response(http::Status::ok, version_view(services, version, *table));
}

// A new table (YAML, as the files are): checked whole, its units active, stored as the next version.
awaitable<Response> upload(Services& services, RequestContext& context) {
  auto yaml = http::yaml_body(context.request);
  auto table = services.routing.checked(yaml);
  const auto named = store::units_named(table);
  std::vector<std::string> codes;
  for (const auto& [code, line] : named) codes.push_back(code);
  const auto active = co_await services.units.active_codes(codes);
  std::vector<ErrorProblem> problems;
  for (const auto& [code, line] : named)
    if (std::find(active.begin(), active.end(), code) == active.end())
      problems.push_back({"no active unit has the code " + code, "table", line});
  if (!problems.empty()) throw Error(Errc::invalid_field, std::move(problems));
  const int version = co_await services.routing.install(std::move(yaml), "upload", actor_of(context).user_id,
                                                        audit_event(context, "routing.installed"));
  co_return http::json_response(http::Status::created, version_view(services, version, table));
}

awaitable<Response> activate(Services& services, RequestContext& context) {
  const int version = http::path_version(context, "routing_version", 0);
  http::no_body_fields(context.request);
  const int previous = services.routing.active_version();
  co_await services.routing.activate(version, actor_of(context).user_id, audit_event(context, "routing.activated"));
  co_return http::json_response(http::Status::ok, {{"version", version}, {"previous_version", previous}});
}

// "Where would this go?" (an admin's tester, and the suggestion beside the intake forms): the unit a petition of this
// category, urgency and place (naming these units in its complaint) is sent to by the table in force, or by the version
// named.
awaitable<Response> try_route(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  workflow::RoutingRequest request{fields.text("category", 60),
                                   fields.optional_text("urgency", 20).value_or("normal"),
                                   fields.optional_text("place", 32),
                                   {}};
  const auto version = fields.optional_integer("version", 0, 1'000'000);
  fields.known("complained_units");
  fields.reject_unknown();
  if (auto it = body.find("complained_units"); it != body.end() && !it->value().is_null()) {
    if (!it->value().is_array() || it->value().as_array().size() > 20)
      throw Error(Errc::invalid_field, "must be a list of unit codes", "complained_units");
    for (const auto& code : it->value().as_array()) {
      if (!code.is_string() || code.as_string().empty() || code.as_string().size() > 32)
        throw Error(Errc::invalid_field, "must be a list of unit codes", "complained_units");
      request.complained_about.emplace_back(code.as_string());
    }
  }
  auto table = services.routing.current();
  if (version) table = co_await services.routing.version(static_cast<int>(*version));
  const auto routed = co_await services.petitions.route(*table, std::move(request));
  json::value rule = nullptr;
  if (routed.rule)
    rule = json::object{{"category", routed.rule->category},
                        {"urgency", routed.rule->urgency ? json::value(*routed.rule->urgency) : json::value(nullptr)},
                        {"line", routed.rule->line}};
  std::vector<std::string> codes = routed.co;
  codes.push_back(routed.lead);
  const auto names = co_await services.units.names(std::move(codes));
  co_return http::json_response(http::Status::ok, {{"lead", routed.lead},
                                                   {"co", json::value_from(routed.co)},
                                                   {"diverted", routed.diverted},
                                                   {"rule", std::move(rule)},
                                                   {"units", json::value_from(names)}});
}

}  // namespace

void add_routing_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/routing", http::Access::users(),
             [&services](RequestContext& c) { return get_routing(services, c); });
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::put, "/api/v1/routing/functions", admins,
             [&services](RequestContext& c) { return put_functions(services, c); });
  router.add(http::Verb::get, "/api/v1/routing/versions", admins,
             [&services](RequestContext& c) { return list_versions(services, c); });
  router.add(
      http::Verb::post, "/api/v1/routing/versions", admins,
      [&services](RequestContext& c) { return upload(services, c); }, 256 * 1024);
  router.add(http::Verb::get, "/api/v1/routing/versions/{routing_version}", admins,
             [&services](RequestContext& c) { return get_version(services, c); });
  router.add(http::Verb::post, "/api/v1/routing/versions/{routing_version}/activate", admins,
             [&services](RequestContext& c) { return activate(services, c); });
  // The desks and proxies see where a petition would go while they register it.
  router.add(http::Verb::post, "/api/v1/routing/test",
             http::Access::only({Role::admin, Role::operator_, Role::proxy, Role::manager}),
             [&services](RequestContext& c) { return try_route(services, c); });
}

}  // namespace petitiond::api
