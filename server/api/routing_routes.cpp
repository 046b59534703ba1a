// The routing table for the admin pages: its categories and rules as the table file says (rules change
// with the file, which the server checks whole on start), and which unit plays each department function in
// this district — the part admins set here (settings `routing.functions`, read on every routing).
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

awaitable<Response> get_routing(Services& services, RequestContext&) {
  const auto& table = services.petitions.routing();
  auto assigned = co_await services.units.function_units();
  std::map<std::string, json::value> units;
  for (const auto& [function, unit] : assigned)
    units[function] = json::object{{"code", unit.code}, {"name", unit.name}, {"active", unit.active}};
  json::array functions;
  for (const auto& [name, code] : table.functions) {
    auto it = units.find(name);
    functions.push_back(json::object{{"name", name}, {"unit", it == units.end() ? json::value(nullptr) : it->second}});
  }
  json::array rules;
  for (const auto& rule : table.rules) {
    json::array co;
    for (const auto& target : rule.co) co.push_back(target_view(target));
    rules.push_back(json::object{{"category", rule.category},
                                 {"label", label_view(rule.label)},
                                 {"urgency", rule.urgency ? json::value(*rule.urgency) : json::value(nullptr)},
                                 {"lead", target_view(rule.lead)},
                                 {"co", std::move(co)}});
  }
  co_return http::json_response(
      http::Status::ok, {{"file", table.file}, {"rules", std::move(rules)}, {"functions", std::move(functions)}});
}

// {"functions": {"civil_affairs": "QS-MZ", "justice": null, …}}: the whole assignment, each function the
// table names given an active unit or null (nobody yet: petitions needing it are routed by hand).
awaitable<Response> put_functions(Services& services, RequestContext& context) {
  const auto& table = services.petitions.routing();
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

}  // namespace

void add_routing_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/routing", http::Access::users(),
             [&services](RequestContext& c) { return get_routing(services, c); });
  router.add(http::Verb::put, "/api/v1/routing/functions", http::Access::only({Role::admin}),
             [&services](RequestContext& c) { return put_functions(services, c); });
}

}  // namespace petitiond::api
