#include "server/api/setting_rules.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <algorithm>
#include <stdexcept>

#include "core/error.hpp"
#include "server/http/json_input.hpp"
#include "server/http/trusted_proxies.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {

[[noreturn]] void refuse(const std::string& message, const std::string& field) {
  throw Error(Errc::invalid_field, message, field);
}

std::string text(const json::value& v, const std::string& field, std::size_t max, bool allow_empty = false) {
  if (!v.is_string()) refuse("must be text", field);
  std::string out(v.as_string());
  if (!http::valid_utf8(out)) refuse("is not valid UTF-8", field);
  if (!allow_empty && out.empty()) refuse("must not be empty", field);
  if (http::utf8_length(out) > max) refuse("must be at most " + std::to_string(max) + " characters", field);
  return out;
}

std::int64_t integer(const json::value& v, const std::string& field, std::int64_t min, std::int64_t max) {
  if (!v.is_int64() && !v.is_uint64()) refuse("must be a whole number", field);
  const auto n =
      v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v.as_uint64(), 1ULL << 62));
  if (n < min || n > max) refuse("must be from " + std::to_string(min) + " to " + std::to_string(max), field);
  return n;
}

std::string unit_code(const json::value& v, const std::string& field, std::vector<UnitReference>& units) {
  auto code = text(v, field, 32);
  units.push_back({code, field});
  return code;
}

const json::object& object_of(const json::value& v, const std::string& field, const std::vector<std::string>& members) {
  if (!v.is_object()) refuse("must be an object", field);
  for (const auto& [key, value] : v.as_object())
    if (std::find(members.begin(), members.end(), std::string(key)) == members.end())
      refuse("unknown member", field + "." + std::string(key));
  return v.as_object();
}

const json::value* member(const json::object& o, const char* name) {
  auto it = o.find(name);
  return it == o.end() || it->value().is_null() ? nullptr : &it->value();
}

std::string url(const json::value& v, const std::string& field) {
  auto out = text(v, field, 2048);
  if (!out.starts_with("https://") && !out.starts_with("http://")) refuse("must be an http(s) address", field);
  return out;
}

// A secret member: the new text, or when left out the stored one; null clears it.
void secret_member(json::object& out, const json::object& in, const json::value& stored, const char* name,
                   const std::string& field, std::size_t max) {
  auto it = in.find(name);
  if (it == in.end()) {
    if (stored.is_object())
      if (auto kept = stored.as_object().find(name); kept != stored.as_object().end()) out[name] = kept->value();
    return;
  }
  if (it->value().is_null()) return;
  out[name] = text(it->value(), field + "." + name, max);
}

// A secret that is part of an address (the telephone system's, the SMS gateway's replies').
std::string address_token(const json::value& v, const std::string& field) {
  auto token = text(v, field, 128);
  if (token.size() < 20 ||
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
    refuse("must be 20 to 128 letters, digits, - or _ (it is part of an address)", field);
  return token;
}

json::value check_sms(const json::value& v, const json::value& stored) {
  const auto& o = object_of(v, "value", {"url", "token", "body", "inbound_token"});
  json::object out;
  const auto* address = member(o, "url");
  if (!address) refuse("must be given", "value.url");
  out["url"] = url(*address, "value.url");
  secret_member(out, o, stored, "token", "value", 512);
  // Replies are taken at /api/v1/sms/inbound/{inbound_token} (docs/telephony.md, "SMS replies").
  if (const auto* inbound = member(o, "inbound_token"); inbound && !inbound->is_null())
    address_token(*inbound, "value.inbound_token");
  secret_member(out, o, stored, "inbound_token", "value", 128);
  if (const auto* body = member(o, "body")) {
    auto template_text = text(*body, "value.body", 4096);
    if (template_text.find("{phone}") == std::string::npos || template_text.find("{text}") == std::string::npos)
      refuse("must contain {phone} and {text}", "value.body");
    out["body"] = template_text;
  }
  return out;
}

json::value check_smtp(const json::value& v, const json::value& stored) {
  const auto& o =
      object_of(v, "value", {"host", "port", "security", "username", "password", "from", "from_name", "ca_file"});
  json::object out;
  const auto* host = member(o, "host");
  if (!host) refuse("must be given", "value.host");
  out["host"] = text(*host, "value.host", 253);
  out["port"] = member(o, "port") ? integer(*member(o, "port"), "value.port", 1, 65535) : 587;
  std::string security = member(o, "security") ? text(*member(o, "security"), "value.security", 10) : "starttls";
  if (security != "starttls" && security != "tls" && security != "none")
    refuse("must be starttls, tls or none", "value.security");
  out["security"] = security;
  if (const auto* username = member(o, "username")) out["username"] = text(*username, "value.username", 256);
  secret_member(out, o, stored, "password", "value", 512);
  const auto* from = member(o, "from");
  if (!from) refuse("must be given", "value.from");
  auto sender = text(*from, "value.from", 254);
  const auto at = sender.find('@');
  if (at == 0 || at == std::string::npos || at == sender.size() - 1 ||
      sender.find_first_of(" <>\r\n") != std::string::npos)
    refuse("must be an e-mail address", "value.from");
  out["from"] = sender;
  if (const auto* name = member(o, "from_name")) out["from_name"] = text(*name, "value.from_name", 100);
  if (const auto* ca = member(o, "ca_file")) out["ca_file"] = text(*ca, "value.ca_file", 1024);
  return out;
}

json::value check_rate_limit(const json::value& v) {
  const auto& o = object_of(v, "value", {"submissions", "lookups", "per_minutes"});
  json::object out;
  for (const auto& [name, max] : std::vector<std::pair<const char*, std::int64_t>>{
           {"submissions", 10'000}, {"lookups", 100'000}, {"per_minutes", 1440}}) {
    const auto* given = member(o, name);
    if (!given) refuse("must be given", std::string("value.") + name);
    out[name] = integer(*given, std::string("value.") + name, 1, max);
  }
  return out;
}

json::value check_proxies(const json::value& v) {
  if (!v.is_array()) refuse("must be a list of addresses or networks (10.0.0.0/8)", "value");
  if (v.as_array().size() > 64) refuse("must list at most 64 entries", "value");
  json::array out;
  for (std::size_t i = 0; i < v.as_array().size(); ++i) {
    const auto field = "value[" + std::to_string(i) + "]";
    auto entry = text(v.as_array()[i], field, 64);
    try {
      http::parse_network(entry);
    } catch (const std::invalid_argument& e) {
      refuse(e.what(), field);
    }
    out.push_back(json::string(entry));
  }
  return out;
}

json::value check_cti_token(const json::value& v) {
  if (v.is_null()) return nullptr;
  return json::string(address_token(v, "value"));
}

}  // namespace

const std::vector<SettingRule>& setting_rules() {
  static const std::vector<SettingRule> rules{
      {"cti.token", true, {}},
      {"sms.gateway", false, {"token", "inbound_token"}},
      {"smtp", false, {"password"}},
      {"portal.intake_unit", false, {}},
      {"portal.rate_limit", false, {}},
      {"http.trusted_proxies", false, {}},
      {"digest", false, {}},
      {"petitions.repeat_window_days", false, {}},
      {"review.department_body", false, {}},
      {"oversight.unit", false, {}},
      {"oversight.for", false, {}},
      {"hotline.callback_within_minutes", false, {}},
      {"open311.jurisdiction_id", false, {}},
  };
  return rules;
}

const SettingRule& setting_rule(const std::string& name) {
  for (const auto& rule : setting_rules())
    if (rule.name == name) return rule;
  throw Error(Errc::not_found, "no setting named " + name + " can be changed here");
}

json::value checked_setting(const SettingRule& rule, const json::value& input, const json::value& stored,
                            std::vector<UnitReference>& units) {
  const auto& name = rule.name;
  if (name == "cti.token") return check_cti_token(input);
  if (input.is_null()) {
    if (name == "sms.gateway" || name == "smtp" || name == "portal.intake_unit" || name == "review.department_body" ||
        name == "oversight.unit" || name == "open311.jurisdiction_id")
      return nullptr;  // off, or nobody
    refuse("must be given", "value");
  }
  if (name == "sms.gateway") return check_sms(input, stored);
  if (name == "smtp") return check_smtp(input, stored);
  if (name == "portal.rate_limit") return check_rate_limit(input);
  if (name == "http.trusted_proxies") return check_proxies(input);
  if (name == "petitions.repeat_window_days") return integer(input, "value", 1, 3650);
  if (name == "hotline.callback_within_minutes") return integer(input, "value", 1, 10080);
  if (name == "open311.jurisdiction_id") return json::string(text(input, "value", 64));
  if (name == "digest") {
    const auto& o = object_of(input, "value", {"hour"});
    const auto* hour = member(o, "hour");
    return json::object{{"hour", hour ? json::value(integer(*hour, "value.hour", 0, 23)) : json::value(nullptr)}};
  }
  if (name == "portal.intake_unit" || name == "review.department_body" || name == "oversight.unit")
    return json::string(unit_code(input, "value", units));
  if (name == "oversight.for") {
    if (!input.is_array()) refuse("must be a list of unit codes", "value");
    if (input.as_array().size() > 100) refuse("must list at most 100 units", "value");
    json::array out;
    for (std::size_t i = 0; i < input.as_array().size(); ++i)
      out.push_back(json::string(unit_code(input.as_array()[i], "value[" + std::to_string(i) + "]", units)));
    return out;
  }
  throw Error(Errc::internal, "setting " + name + " has no check");
}

boost::asio::awaitable<void> store_setting(store::SettingsStore& settings, store::UnitStore& unit_store,
                                           const SettingRule& rule, json::value input, store::AuditEvent audit) {
  const auto stored = (co_await settings.get(rule.name)).value_or(nullptr);
  std::vector<UnitReference> units;
  auto value = checked_setting(rule, input, stored, units);
  if (!units.empty()) {
    std::vector<std::string> codes;
    for (const auto& unit : units) codes.push_back(unit.code);
    const auto active = co_await unit_store.active_codes(std::move(codes));
    for (const auto& unit : units)
      if (std::find(active.begin(), active.end(), unit.code) == active.end())
        throw Error(Errc::invalid_field, "no active unit has the code " + unit.code, unit.field);
  }
  audit.details["value"] = audited_value(rule, value);
  co_await settings.set(rule.name, std::move(value), std::move(audit));
}

json::object setting_view(const SettingRule& rule, const json::value& stored) {
  json::object view{{"name", rule.name}, {"secret", rule.secret}};
  if (rule.secret) {
    view["value"] = nullptr;
    view["set"] = !stored.is_null() && !(stored.is_string() && stored.as_string().empty());
    return view;
  }
  json::value shown = stored;
  json::object secrets;
  for (const auto& field : rule.secret_fields) {
    const bool set = shown.is_object() && shown.as_object().contains(field);
    secrets[field] = set;
    if (set) shown.as_object().erase(field);
  }
  view["value"] = std::move(shown);
  view["set"] = !stored.is_null();
  if (!rule.secret_fields.empty()) view["secrets_set"] = std::move(secrets);
  return view;
}

json::value audited_value(const SettingRule& rule, const json::value& value) {
  if (rule.secret) return value.is_null() ? json::value("(cleared)") : json::value("(changed)");
  json::value out = value;
  for (const auto& field : rule.secret_fields)
    if (out.is_object() && out.as_object().contains(field)) out.as_object()[field] = "(set)";
  return out;
}

}  // namespace petitiond::api
