#include "server/api/views.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {
json::value optional_string(const std::optional<std::string>& value) {
  if (!value) return nullptr;
  return json::string(*value);
}
}  // namespace

json::value unit_view(const store::Unit& unit) {
  return json::object{{"code", unit.code},
                      {"name", unit.name},
                      {"kind", unit.kind},
                      {"parent", optional_string(unit.parent_code)},
                      {"depth", unit.depth},
                      {"phone", optional_string(unit.phone)},  // an office number, not personal data
                      {"calendar", optional_string(unit.calendar)},
                      {"serves", optional_string(unit.serves)},
                      {"active", unit.active}};
}

json::value user_view(const store::User& user) {
  json::array roles;
  for (const auto& name : user.roles.names()) roles.emplace_back(name);
  return json::object{{"id", user.id},
                      {"login", user.login},
                      {"display_name", user.display_name},
                      {"phone", user.phone ? json::value(mask_phone(*user.phone)) : json::value(nullptr)},
                      {"unit", json::object{{"code", user.unit_code}, {"name", user.unit_name}}},
                      {"roles", std::move(roles)},
                      {"active", user.active}};
}

json::value token_view(const store::ApiToken& token) {
  json::array scopes;
  for (auto scope : token.scopes) scopes.emplace_back(scope_name(scope));
  return json::object{{"id", token.id},
                      {"name", token.name},
                      {"user", json::object{{"id", token.user_id}, {"login", token.user_login}}},
                      {"scopes", std::move(scopes)},
                      {"created_at", token.created_at},
                      {"last_used_at", optional_string(token.last_used_at)},
                      {"revoked_at", optional_string(token.revoked_at)}};
}

json::value audit_view(const store::AuditRecord& record) {
  const auto& e = record.event;
  auto text_or_null = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
  return json::object{{"id", record.id},
                      {"at", record.at},
                      {"action", e.action},
                      {"actor", e.actor_id ? json::value(json::object{{"id", *e.actor_id}, {"login", e.actor_login}})
                                           : json::value(text_or_null(e.actor_login))},
                      {"target_type", text_or_null(e.target_type)},
                      {"target_id", text_or_null(e.target_id)},
                      {"address", text_or_null(e.address)},
                      {"request_id", text_or_null(e.request_id)},
                      {"details", e.details}};
}

}  // namespace petitiond::api
