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
  json::object out{{"tracking_code", petition.tracking_code},
                   {"received_at", petition.received_at},
                   {"state", petition.state},
                   {"state_label", state_label(services.petitions.definition_of(petition), petition.state)},
                   {"repeat", petition.repeat_of.has_value()}};
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
  auto text = [](const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); };
  co_return http::json_response(
      http::Status::ok,
      {{"tracking_code", found->tracking_code},
       {"state", found->state},
       {"state_label",
        state_label(services.workflows.set().version(found->workflow, found->workflow_version), found->state)},
       {"level", found->level ? json::value(*found->level) : json::value(nullptr)},
       {"received_at", found->received_at},
       {"accepted_at", text(found->accepted_at)},
       {"dispatched_at", text(found->dispatched_at)},
       {"due_at", text(found->due_at)},
       {"replied_at", text(found->replied_at)},
       {"closed_at", text(found->closed_at)}});
}

}  // namespace

void add_portal_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  router.add(Verb::get, "/api/v1/portal/categories", Access::anyone(),
             [&services](RequestContext& c) { return categories(services, c); });
  router.add(Verb::post, "/api/v1/portal/petitions", Access::anyone(),
             [&services](RequestContext& c) { return submit(services, c); });
  router.add(Verb::post, "/api/v1/portal/status", Access::anyone(),
             [&services](RequestContext& c) { return status(services, c); });
}

}  // namespace petitiond::api
