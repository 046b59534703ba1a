// The public portal: submission without an account (rate-limited per address) and the status look-up
// by tracking code plus the last four digits of the phone left with the petition. The answers carry no
// handler notes and no personal data.
#include <boost/json/array.hpp>
#include <boost/json/value_from.hpp>

#include "server/api/petition_input.hpp"
#include "server/api/petition_views.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

// The state as the petition's own workflow version names it (a petition keeps the version it started under).
json::value state_label(const workflow::Definition& definition, const std::string& state) {
  const auto* found = definition.state(state);
  return found ? label_view(found->label) : json::value(nullptr);
}

// How long after submitting the petitioner may still attach files to it.
constexpr std::chrono::seconds upload_window{3600};

json::value optional_text(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::value place_view(const store::Unit& unit) {
  return json::object{{"code", unit.code},
                      {"name", unit.name},
                      {"parent", unit.depth > 2 ? optional_text(unit.parent_code) : json::value(nullptr)}};
}

// The places a petition may concern, for the portal's and the desks' pickers: the district's towns and streets
// and their villages and communities (area units; offices serving a place are not places), parents first.
awaitable<Response> places(Services& services, RequestContext&) {
  const auto units = co_await services.units.list(std::nullopt, false);
  json::array out;
  for (const auto& unit : units) {
    if (unit.kind != "area" || unit.serves || unit.depth < 2) continue;
    out.push_back(place_view(unit));
  }
  co_return http::json_response(http::Status::ok, {{"places", std::move(out)}});
}

// How long a petition of this type and urgency is handled in once accepted (the workflow's `handling` clock),
// for the portal's confirmation; null when the workflow has no such clock for it.
json::value handling_limit(const workflow::Definition& definition, const store::Petition& petition) {
  for (const auto& clock : definition.clocks) {
    if (clock.name != "handling") continue;
    if (auto duration = clock.duration_for(petition.type, petition.urgency))
      return json::object{{"unit", workflow::duration_unit_name(duration->unit)}, {"amount", duration->amount}};
  }
  return nullptr;
}

awaitable<Response> categories(Services& services, RequestContext&) {
  json::array categories;
  const auto table = services.petitions.routing();
  for (const auto& code : table->categories())
    categories.push_back(json::object{{"code", code}, {"label", label_view(*table->label_of(code))}});
  const auto& definition = services.petitions.active_workflow();
  co_return http::json_response(http::Status::ok, {{"categories", std::move(categories)},
                                                   {"types", json::value_from(definition.types)},
                                                   {"urgencies", json::value_from(definition.urgencies)}});
}

awaitable<Response> submit(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  auto input = petition_input(body, IntakeKind::portal, services.petitions.now());
  store::Intake intake{std::nullopt, context.remote_address, idempotency_key(context),
                       auth::sha256_hex(context.request.body())};
  auto [petition, created] = co_await services.petitions.create(std::move(input), std::move(intake));
  const auto upload_token = auth::random_token();
  co_await services.petitions.issue_upload_token(petition.id, upload_token, upload_window);
  json::object out{{"tracking_code", petition.tracking_code},
                   {"received_at", petition.received_at},
                   {"state", petition.state},
                   {"state_label", state_label(services.petitions.definition_of(petition), petition.state)},
                   {"due_at", optional_text(petition.due_at)},
                   {"handling_limit", handling_limit(services.petitions.definition_of(petition), petition)},
                   {"repeat", petition.repeat_of.has_value()},
                   {"upload_url", "/api/v1/portal/attachments/" + upload_token},
                   {"upload_minutes", upload_window.count() / 60},
                   {"upload_files", store::PetitionStore::max_portal_files}};
  auto response = http::json_response(created ? http::Status::created : http::Status::ok, out);
  if (!created) response.set("Idempotent-Replayed", "true");
  co_return response;
}

// A tracking code as typed (any case, spaces, with or without its dashes) in the form it was given.
std::string canonical_tracking_code(std::string_view typed) {
  std::string bare;
  for (unsigned char c : typed)
    if (std::isalnum(c)) bare += static_cast<char>(std::toupper(c));
  if (bare.size() == 8 + 6) return bare.substr(0, 8) + "-" + bare.substr(8);
  if (bare.size() == 8 + 12)
    return bare.substr(0, 8) + "-" + bare.substr(8, 4) + "-" + bare.substr(12, 4) + "-" + bare.substr(16);
  throw Error(Errc::invalid_field, "is not a tracking code: the date and twelve letters or digits", "tracking_code");
}

awaitable<Response> status(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  auto code = canonical_tracking_code(fields.text("tracking_code", 40));
  auto last_four = fields.text("phone_last4", 4);
  fields.reject_unknown();
  if (last_four.size() != 4 || last_four.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::invalid_field, "must be the last four digits of the phone number you left", "phone_last4");
  auto found = co_await services.petitions.public_status(code, last_four, context.remote_address);
  if (!found) throw Error(Errc::not_found, "no petition matches this tracking code and phone number");
  co_return http::json_response(
      http::Status::ok,
      {{"tracking_code", found->tracking_code},
       {"state", found->state},
       {"state_label",
        state_label(services.workflows.set().version(found->workflow, found->workflow_version), found->state)},
       {"level", found->level ? json::value(*found->level) : json::value(nullptr)},
       {"received_at", found->received_at},
       {"accepted_at", optional_text(found->accepted_at)},
       {"dispatched_at", optional_text(found->dispatched_at)},
       {"due_at", optional_text(found->due_at)},
       {"replied_at", optional_text(found->replied_at)},
       {"closed_at", optional_text(found->closed_at)}});
}

}  // namespace

void add_portal_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::get, "/api/v1/portal/categories", Access::anyone(),
             [&services](RequestContext& c) { return categories(services, c); });
  router.add(Verb::get, "/api/v1/portal/places", Access::anyone(),
             [&services](RequestContext& c) { return places(services, c); });
  router.add(Verb::post, "/api/v1/portal/petitions", Access::anyone(),
             [&services](RequestContext& c) { return submit(services, c); });
  router.add(Verb::post, "/api/v1/portal/status", Access::anyone(),
             [&services](RequestContext& c) { return status(services, c); });
}

}  // namespace petitiond::api
