// The organisation tree: anyone logged in reads it; admins change it.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/api/routes.hpp"
#include "server/api/views.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/identity.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

const std::set<std::string> unit_kinds{"area", "department"};

std::optional<std::string> unit_phone(http::Fields& fields) {
  auto phone = fields.optional_text("phone", 40);
  return phone && phone->empty() ? std::nullopt : phone;
}

awaitable<Response> list_units(Services& services, RequestContext& context) {
  auto root = http::query_param(context, "root");
  bool include_inactive = http::query_param(context, "include_inactive") == "true";
  auto units = co_await services.units.list(root, include_inactive);
  if (root && units.empty()) throw Error(Errc::invalid_field, "no unit has this code", "root");
  json::array items;
  for (const auto& unit : units) items.push_back(unit_view(unit));
  co_return http::json_response(http::Status::ok, {{"units", std::move(items)}});
}

awaitable<Response> get_unit(Services& services, RequestContext& context) {
  auto unit = co_await services.units.find(std::string(context.param("unit_code")));
  if (!unit) throw Error(Errc::not_found, "no such unit");
  co_return http::json_response(http::Status::ok, unit_view(*unit));
}

// A unit names a working calendar that exists (a misspelt name would silently fall back to its parent's).
void check_calendar(Services& services, const std::optional<std::string>& calendar) {
  if (calendar && !services.calendars.current()->contains(*calendar))
    throw Error(Errc::invalid_field, "no working calendar is called '" + *calendar + "'", "calendar");
}

awaitable<Response> create_unit(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  store::UnitInput input;
  input.code = fields.text("code", 32);
  if (auto problem = unit_code_problem(input.code); !problem.empty()) throw Error(Errc::invalid_field, problem, "code");
  input.name = fields.text("name", 100);
  auto kind = fields.optional_text("kind", 20).value_or("area");
  if (!unit_kinds.count(kind)) throw Error(Errc::invalid_field, "must be area or department", "kind");
  input.kind = kind;
  input.parent_code = fields.text("parent", 32);
  input.phone = unit_phone(fields);
  input.calendar = fields.optional_text("calendar", 64);
  input.serves = fields.optional_text("serves", 32);
  fields.reject_unknown();
  check_calendar(services, input.calendar);
  auto event = audit_event(context, "unit.created", "unit", input.code);
  event.details["parent"] = *input.parent_code;
  auto unit = co_await services.units.create(std::move(input), std::move(event));
  co_return http::json_response(http::Status::created, unit_view(unit));
}

awaitable<Response> update_unit(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  store::UnitChange change;
  change.name = fields.optional_text("name", 100);
  if (change.name && change.name->empty()) throw Error(Errc::invalid_field, "must not be empty", "name");
  change.parent_code = fields.optional_text("parent", 32);
  change.phone = fields.nullable_text("phone", 40);
  change.calendar = fields.nullable_text("calendar", 64);
  change.active = fields.optional_bool("active");
  fields.reject_unknown();
  const bool calendar_changed = change.calendar.has_value();
  if (change.calendar) check_calendar(services, *change.calendar);

  std::string code(context.param("unit_code"));
  const char* action = change.parent_code ? "unit.moved" : change.active == false ? "unit.deactivated" : "unit.updated";
  auto event = audit_event(context, action, "unit", code);
  for (const auto& field : body) event.details[field.key()] = field.value();
  auto unit = co_await services.units.update(code, std::move(change), std::move(event));
  // Its running deadlines now count on the calendar it names (or its parent's), before the answer.
  if (calendar_changed) co_await services.petitions.recompute_subtree(code);
  co_return http::json_response(http::Status::ok, unit_view(unit));
}

awaitable<Response> get_levels(Services& services, RequestContext&) {
  auto levels = (co_await services.settings.get("units.level_names")).value_or(json::array());
  co_return http::json_response(http::Status::ok, {{"levels", levels}});
}

awaitable<Response> put_levels(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  auto it = body.find("levels");
  if (it == body.end() || !it->value().is_array() || it->value().as_array().empty())
    throw Error(Errc::invalid_field, "must be a non-empty list of {\"zh\": …, \"en\": …}", "levels");
  if (it->value().as_array().size() > 10) throw Error(Errc::invalid_field, "names at most 10 levels", "levels");
  for (const auto& field : body)
    if (field.key() != "levels") throw Error(Errc::invalid_field, "unknown field", std::string(field.key()));
  json::array levels;
  for (const auto& item : it->value().as_array()) {
    if (!item.is_object()) throw Error(Errc::invalid_field, "each level must be an object", "levels");
    http::Fields level(item.as_object());
    levels.push_back(json::object{{"zh", level.text("zh", 20)}, {"en", level.text("en", 40)}});
    level.reject_unknown();
  }
  const json::value value(std::move(levels));  // GCC 12: no temporaries inside a co_await expression
  co_await change_setting(services, context, "units.level_names", value, "levels");
  co_return http::json_response(http::Status::ok, {{"levels", value}});
}

}  // namespace

void add_unit_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  const auto admin = Access::only({Role::admin});
  router.add(Verb::get, "/api/v1/units", Access::users(),
             [&services](RequestContext& c) { return list_units(services, c); });
  router.add(Verb::post, "/api/v1/units", admin, [&services](RequestContext& c) { return create_unit(services, c); });
  router.add(Verb::get, "/api/v1/units/{unit_code}", Access::users(),
             [&services](RequestContext& c) { return get_unit(services, c); });
  router.add(Verb::patch, "/api/v1/units/{unit_code}", admin,
             [&services](RequestContext& c) { return update_unit(services, c); });
  router.add(Verb::get, "/api/v1/unit-levels", Access::users(),
             [&services](RequestContext& c) { return get_levels(services, c); });
  router.add(Verb::put, "/api/v1/unit-levels", admin,
             [&services](RequestContext& c) { return put_levels(services, c); });
}

}  // namespace petitiond::api
