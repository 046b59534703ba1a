// Petitions for signed-in users: intake by operators and proxies, the list, one petition, its timeline,
// workflow actions, the acknowledgement receipt, unmasking, proxy grants, follow-up calls and caller look-up.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <functional>
#include <limits>
#include <boost/json/value_from.hpp>

#include "server/api/petition_input.hpp"
#include "server/api/petition_views.hpp"
#include "server/api/receipt.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/identity.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

Response petition_response(http::Status status, const store::Petition& petition, const json::value& view) {
  auto response = http::json_response(status, view);
  response.set(http::beast::http::field::etag, "\"" + std::to_string(petition.version) + "\"");
  return response;
}

json::value view_for(Services& services, const Actor& actor, const store::Petition& petition) {
  const auto& definition = services.petitions.definition_of(petition);
  const auto calendars = services.calendars.current();
  return petition_view(petition, services.petitions.roles_toward(actor, petition), definition,
                       calendars->resolve(petition.calendar_chain), services.petitions.now());
}

awaitable<store::Petition> visible_petition(Services& services, RequestContext& context) {
  auto petition = co_await services.petitions.find(actor_of(context), http::path_id(context, "petition_id"));
  if (!petition) throw Error(Errc::not_found, "no such petition");
  co_return std::move(*petition);
}

// Reads the request with `parse`. A malformed request about a petition outside the caller's jurisdiction
// answers 404, as a well-formed one would, so that validation errors do not reveal that it exists. A
// well-formed request goes on to the store, which loads the petition within the jurisdiction anyway: the
// petition is read once, not twice.
awaitable<void> parse_in_jurisdiction(Services& services, RequestContext& context, const std::function<void()>& parse) {
  std::exception_ptr malformed;
  try {
    parse();
  } catch (const Error&) {
    malformed = std::current_exception();
  }
  if (!malformed) co_return;
  co_await visible_petition(services, context);  // not_found outside the jurisdiction
  std::rethrow_exception(malformed);
}

awaitable<Response> create_petition(Services& services, RequestContext& context) {
  const auto& actor = actor_of(context);
  auto body = http::json_object_body(context.request);
  auto input = petition_input(body, IntakeKind::staff, services.petitions.now());
  if (input.proxy && input.proxy->filer_is_proxy && !actor.has(Role::proxy))
    throw Error(Errc::invalid_field,
                "only a proxy files with a consent of their own; record an accompanying person under proxy", "consent");
  if (!actor.has(Role::operator_) && !(input.proxy && input.proxy->filer_is_proxy))
    throw Error(Errc::invalid_field, "a proxy files with the petitioner's consent: say how and when it was given",
                "consent");
  // A call names a caller: only the hotline's operators, who took it, file from it or answer on it.
  if (!actor.has(Role::operator_) && input.call_id)
    throw Error(Errc::invalid_field, "only the hotline's operators file from a call", "call_id");
  if (!actor.has(Role::operator_) && input.answer_on_call)
    throw Error(Errc::invalid_field, "only the hotline's operators answer on a call", "answer_on_call");
  store::Intake intake{actor, context.remote_address, idempotency_key(context),
                       auth::sha256_hex(context.request.body())};
  auto [petition, created] = co_await services.petitions.create(std::move(input), std::move(intake));
  auto response = petition_response(created ? http::Status::created : http::Status::ok, petition,
                                    view_for(services, actor, petition));
  response.set(http::beast::http::field::location, "/api/v1/petitions/" + std::to_string(petition.id));
  if (!created) response.set("Idempotent-Replayed", "true");
  co_return response;
}

std::vector<std::string> list_param(const RequestContext& context, std::string_view name) {
  std::vector<std::string> out;
  auto value = http::query_param(context, name);
  if (!value) return out;
  std::string_view rest = *value;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    if (!item.empty()) {
      if (item.size() > 32) throw Error(Errc::invalid_field, "has an entry that is too long", std::string(name));
      out.emplace_back(item);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::string> date_param(const RequestContext& context, const char* name) {
  auto value = http::query_param(context, name);
  if (value && !workflow::parse_date(*value)) throw Error(Errc::invalid_field, "must be a date, YYYY-MM-DD", name);
  return value;
}

awaitable<Response> list_petitions(Services& services, RequestContext& context) {
  store::PetitionFilter filter;
  filter.states = list_param(context, "state");
  filter.types = list_param(context, "type");
  filter.categories = list_param(context, "category");
  filter.channels = list_param(context, "channel");
  filter.urgencies = list_param(context, "urgency");
  filter.unit_code = http::query_param(context, "unit");
  filter.deadline_status = http::query_param(context, "deadline");
  if (filter.deadline_status && *filter.deadline_status != "ok" && *filter.deadline_status != "warning" &&
      *filter.deadline_status != "overdue")
    throw Error(Errc::invalid_field, "must be ok, warning or overdue", "deadline");
  filter.received_from = date_param(context, "from");
  filter.received_to = date_param(context, "to");
  filter.proxy_user_id = http::query_integer(context, "proxy", 1, std::numeric_limits<std::int64_t>::max());
  filter.text = http::query_param(context, "q");
  if (filter.text && http::utf8_length(*filter.text) > 100)
    throw Error(Errc::invalid_field, "must be at most 100 characters", "q");
  filter.mine = http::query_param(context, "mine") == "true";
  if (auto sort = http::query_param(context, "sort")) {
    if (*sort == "deadline") filter.sort = store::PetitionFilter::Sort::deadline;
    else if (*sort != "received") throw Error(Errc::invalid_field, "must be received or deadline", "sort");
  }
  filter.after = http::query_param(context, "after");
  filter.limit = static_cast<int>(http::query_integer(context, "limit", 1, 200).value_or(50));
  auto page = co_await services.petitions.list(actor_of(context), filter);
  json::array items;
  const auto calendars = services.calendars.current();
  for (const auto& item : page.items) items.push_back(summary_view(item, *calendars, services.petitions.now()));
  co_return http::json_response(http::Status::ok,
                                {{"items", std::move(items)},
                                 {"total", page.total},
                                 {"total_exact", page.total_exact},
                                 {"next", page.next ? json::value(*page.next) : json::value(nullptr)}});
}

awaitable<Response> get_petition(Services& services, RequestContext& context) {
  auto petition = co_await visible_petition(services, context);
  auto view = view_for(services, actor_of(context), petition);
  // Whoever may dispatch it now sees where the routing table would send it.
  bool dispatching = false;
  for (const auto& action : view.at("actions").as_array())
    for (const auto& field : action.at("requires").as_array()) dispatching |= field.as_string() == "unit";
  if (dispatching) {
    auto routed = co_await services.petitions.suggest_route(petition);
    view.as_object()["suggested_unit"] =
        routed ? json::value(json::object{
                     {"code", routed->lead}, {"co", json::value_from(routed->co)}, {"diverted", routed->diverted}})
               : json::value(nullptr);
  }
  co_return petition_response(http::Status::ok, petition, view);
}

json::array events_view(const std::vector<store::TimelineEvent>& events) {
  json::array items;
  for (const auto& event : events) items.push_back(event_view(event));
  return items;
}

// The unit codes the events' fields name (a dispatch's unit, a reclassification's place and accused units,
// co-handlers), so the timeline can show their names.
std::vector<std::string> unit_codes_in(const json::array& events) {
  std::vector<std::string> codes;
  for (const auto& event : events) {
    const auto& fields = event.at("fields");
    if (!fields.is_object()) continue;
    for (const auto* key : {"unit", "place"})
      if (const auto* code = fields.as_object().if_contains(key); code && code->is_string())
        codes.emplace_back(code->as_string());
    for (const auto* key : {"co_units", "complained_units"})
      if (const auto* list = fields.as_object().if_contains(key); list && list->is_array())
        for (const auto& code : list->as_array())
          if (code.is_string()) codes.emplace_back(code.as_string());
  }
  return codes;
}

json::object timeline_view(json::array events, const std::map<std::string, std::string>& names) {
  json::object units;
  for (const auto& [code, name] : names) units[code] = name;
  return {{"events", std::move(events)}, {"units", std::move(units)}};
}

awaitable<Response> petition_events(Services& services, RequestContext& context) {
  auto events = co_await services.petitions.events(actor_of(context), http::path_id(context, "petition_id"));
  auto items = events_view(events);
  auto names = co_await services.units.names(unit_codes_in(items));
  co_return http::json_response(http::Status::ok, timeline_view(std::move(items), names));
}

// The expected version: If-Match: "3" (as the ETag of GET), or "version" in the body.
int expected_version(const RequestContext& context, std::optional<std::int64_t> body_version) {
  auto header = context.request[http::beast::http::field::if_match];
  if (!header.empty()) {
    std::string_view value = header;
    if (value.starts_with("W/")) value.remove_prefix(2);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    int version = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), version);
    if (ec != std::errc{} || end != value.data() + value.size() || version < 1)
      throw Error(Errc::invalid_field, "must be the petition's ETag", "If-Match");
    return version;
  }
  if (!body_version)
    throw Error(Errc::invalid_field, "say which version you acted on (If-Match header or version field)", "version");
  return static_cast<int>(*body_version);
}

store::ActionRequest action_input(const RequestContext& context) {
  auto body = context.request.body().empty() ? json::object() : http::json_object_body(context.request);
  http::Fields fields(body);
  store::ActionRequest action;
  action.transition = std::string(context.param("transition"));
  action.expected_version = expected_version(context, fields.optional_integer("version", 1, 1'000'000));
  const std::pair<const char*, std::size_t> text_fields[] = {
      {"reason", 1000}, {"comment", 2000}, {"outcome", 32},    {"unit", 32},           {"satisfaction", 32},
      {"reply", 10000}, {"body", 200},     {"reference", 100}, {"date", 10},           {"type", 32},
      {"category", 32}, {"urgency", 16},   {"place", 32},      {"contribution", 10000}};
  for (const auto& [name, limit] : text_fields)
    if (auto value = fields.optional_text(name, limit)) action.fields[name] = *value;
  if (auto days = fields.optional_integer("days", 1, 365)) action.fields["days"] = std::to_string(*days);
  if (auto hours = fields.optional_integer("hours", 1, 720)) action.fields["hours"] = std::to_string(*hours);
  // reclassify: the units the petition complains about, all of them (an empty list: none); dispatch: co-handlers.
  for (const char* name : {"complained_units", "co_units"}) {
    fields.known(name);
    auto it = body.find(name);
    if (it == body.end() || it->value().is_null()) continue;
    const auto* units = it->value().if_array();
    std::string codes;
    if (!units || units->size() > 10) throw Error(Errc::invalid_field, "must be a list of at most 10 unit codes", name);
    for (const auto& unit : *units) {
      if (!unit.is_string() || unit.as_string().empty() || unit.as_string().size() > 32 ||
          unit.as_string().find(',') != json::string::npos)
        throw Error(Errc::invalid_field, "must be a list of unit codes", name);
      codes += (codes.empty() ? "" : ",") + std::string(unit.as_string());
    }
    action.fields[name] = codes.empty() ? "," : codes;
  }
  if (auto parent = fields.optional_integer("parent", 1, std::numeric_limits<std::int64_t>::max()))
    action.fields["parent"] = std::to_string(*parent);
  fields.reject_unknown();
  return action;
}

awaitable<Response> take_action(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "petition_id");
  store::ActionRequest action;
  const std::function<void()> parse = [&] { action = action_input(context); };
  co_await parse_in_jurisdiction(services, context, parse);
  auto petition = co_await services.petitions.act(actor_of(context), id, std::move(action));
  co_return petition_response(http::Status::ok, petition, view_for(services, actor_of(context), petition));
}

awaitable<Response> receipt(Services& services, RequestContext& context) {
  auto petition = co_await visible_petition(services, context);
  const auto calendars = services.calendars.current();
  const auto& calendar = calendars->resolve(petition.calendar_chain);
  co_return http::text_response(http::Status::ok,
                                receipt_html(petition, services.petitions.definition_of(petition), calendar),
                                "text/html; charset=utf-8");
}

awaitable<Response> unmask_petition(Services& services, RequestContext& context) {
  auto petition = co_await visible_petition(services, context);
  const auto& actor = actor_of(context);
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto reason = fields.text("reason", 200);
  if (http::utf8_length(reason) < 4) throw Error(Errc::invalid_field, "say why you need the full values", "reason");
  fields.reject_unknown();
  if (petition.anonymous && !sees_anonymous_identity(services.petitions.roles_toward(actor, petition)))
    throw Error(Errc::forbidden,
                "the petitioner asked to stay anonymous: their identity is not shown to handling units");
  auto event = audit_event(context, "personal_data.unmasked", "petition", std::to_string(petition.id));
  event.details["reason"] = reason;
  co_await services.audit.record(event);
  const auto& p = petition.petitioner;
  auto text = [](const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); };
  auto number = [](const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); };
  co_return http::json_response(http::Status::ok, {{"id", petition.id},
                                                   {"petitioner",
                                                    {{"name", text(p.name)},
                                                     {"id_number", text(p.id_number)},
                                                     {"phone", text(p.phone)},
                                                     {"certificate_number", text(p.certificate_number)},
                                                     {"disability_type", number(p.disability_type)},
                                                     {"disability_grade", number(p.disability_grade)},
                                                     {"address", text(p.address)}}},
                                                   {"proxy_phone", text(petition.proxy_phone)},
                                                   {"representatives", json::parse(petition.representatives_json)}});
}

awaitable<Response> grant_proxy(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "petition_id");
  std::int64_t user = 0;
  std::pair<std::string, std::int64_t> consent;
  const std::function<void()> parse = [&] {
    auto body = http::json_object_body(context.request);
    http::Fields fields(body);
    auto given = fields.optional_integer("user", 1, std::numeric_limits<std::int64_t>::max());
    if (!given) throw Error(Errc::invalid_field, "is required: the proxy's user id", "user");
    user = *given;
    fields.known("consent");
    auto consent_it = body.find("consent");
    consent =
        consent_input(consent_it == body.end() ? nullptr : &consent_it->value(), "consent", services.petitions.now());
    fields.reject_unknown();
  };
  co_await parse_in_jurisdiction(services, context, parse);
  auto petition = co_await services.petitions.grant_proxy(actor_of(context), id, user, consent.first, consent.second);
  co_return petition_response(http::Status::ok, petition, view_for(services, actor_of(context), petition));
}

awaitable<Response> attach_call(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "petition_id");
  std::string call_id;
  const std::function<void()> parse = [&] {
    auto body = http::json_object_body(context.request);
    http::Fields fields(body);
    call_id = fields.text("call_id", 200);
    fields.reject_unknown();
  };
  co_await parse_in_jurisdiction(services, context, parse);
  auto petition = co_await services.petitions.attach_call(actor_of(context), id, call_id);
  co_return petition_response(http::Status::ok, petition, view_for(services, actor_of(context), petition));
}

awaitable<Response> caller_history(Services& services, RequestContext& context) {
  auto phone = http::query_param(context, "phone");
  if (!phone) throw Error(Errc::invalid_field, "is required", "phone");
  auto key = normalise_phone(*phone);
  if (key.empty()) throw Error(Errc::invalid_field, "is not a phone number", "phone");
  // Who looked up which number is audited as unmasking is: a history names people and their matters.
  auto event = audit_event(context, "caller_history.viewed", "phone", mask_phone(key));
  co_await services.audit.record(event);
  auto history = co_await services.petitions.caller_history(key, actor_of(context).unit_path);
  co_return http::json_response(http::Status::ok,
                                caller_history_view(history, *services.calendars.current(), services.petitions.now()));
}

}  // namespace

void add_petition_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::post, "/api/v1/petitions", Access::only({Role::operator_, Role::proxy}),
             [&services](RequestContext& c) { return create_petition(services, c); });
  router.add(Verb::get, "/api/v1/petitions", Access::users(),
             [&services](RequestContext& c) { return list_petitions(services, c); });
  router.add(Verb::get, "/api/v1/petitions/{petition_id}", Access::users(),
             [&services](RequestContext& c) { return get_petition(services, c); });
  router.add(Verb::get, "/api/v1/petitions/{petition_id}/events", Access::users(),
             [&services](RequestContext& c) { return petition_events(services, c); });
  router.add(Verb::post, "/api/v1/petitions/{petition_id}/actions/{transition}", Access::users(),
             [&services](RequestContext& c) { return take_action(services, c); });
  router.add(Verb::get, "/api/v1/petitions/{petition_id}/receipt", Access::users(),
             [&services](RequestContext& c) { return receipt(services, c); });
  router.add(Verb::post, "/api/v1/petitions/{petition_id}/unmask",
             Access::only({Role::operator_, Role::handler, Role::manager}),
             [&services](RequestContext& c) { return unmask_petition(services, c); });
  router.add(Verb::post, "/api/v1/petitions/{petition_id}/proxy", Access::only({Role::operator_, Role::manager}),
             [&services](RequestContext& c) { return grant_proxy(services, c); });
  router.add(Verb::post, "/api/v1/petitions/{petition_id}/calls", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return attach_call(services, c); });
  router.add(Verb::get, "/api/v1/caller-history", Access::only({Role::operator_}),
             [&services](RequestContext& c) { return caller_history(services, c); });
}

}  // namespace petitiond::api
