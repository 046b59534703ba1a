// Open311 GeoReport v2 under /open311/v2/ (docs/telephony.md, "Open311"): the petition categories as
// services, web petitions as service requests. Filing needs an API token with the `portal` scope as
// `api_key` and goes through the portal's own intake (its checks and rate limit); reading needs no key and
// shows only what publicly_listed() allows, never anything of the person.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include "server/api/open311_format.hpp"
#include "server/api/petition_input.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/error_mapping.hpp"
#include "server/http/form_data.hpp"
#include "server/http/json_input.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr std::size_t max_description = 4000;  // the spec's limit
constexpr int window_days = 90;                // the spec's default and longest range

// An error in the spec's shape: 400 for anything the client sent wrong, 403 for the key, 404 for the unknown.
struct Open311Error {
  http::Status status;
  std::string description;
};

const std::map<std::string, std::string, std::less<>> type_names{
    {"consultation", "咨询"}, {"help", "求助"},       {"suggestion", "建议"},       {"complaint", "投诉"},
    {"report", "举报"},       {"formal", "信访事项"}, {"legal_aid", "法律援助申请"}};
const std::map<std::string, std::string, std::less<>> urgency_names{
    {"normal", "一般"}, {"urgent", "紧急"}, {"emergency", "特急"}};

// A request's fields: form data (the spec's), multipart, or a JSON object; the URL query's for GET.
using Open311Fields = std::map<std::string, std::string>;

Open311Fields request_fields(const RequestContext& context) {
  Open311Fields fields;
  auto add = [&fields](const http::FormFields& form) {
    for (const auto& field : form) {
      if (field.file_name) continue;  // files are not taken: media come as media_url
      // A list (name[]=…&name[]=…) joins its values with commas, as the spec's multi-value lists are read;
      // a name given twice keeps the last.
      if (field.name.ends_with("[]")) {
        auto& value = fields[field.name.substr(0, field.name.size() - 2)];
        value = value.empty() ? field.value : value + "," + field.value;
      } else {
        fields[field.name] = field.value;
      }
    }
  };
  if (auto query = http::urlencoded_fields(context.url.encoded_query())) add(*query);
  else throw Open311Error{http::Status::bad_request, "the query string is malformed"};
  const auto& body = context.request.body();
  if (body.empty()) return fields;
  const auto type = http::media_type(context.request[http::beast::http::field::content_type]);
  if (type == "application/json") {
    boost::system::error_code error;
    auto parsed = json::parse(body, error);
    if (error || !parsed.is_object()) throw Open311Error{http::Status::bad_request, "the body is not a JSON object"};
    for (const auto& [key, value] : parsed.as_object())
      fields[std::string(key)] = value.is_string() ? std::string(value.as_string()) : json::serialize(value);
  } else if (auto form = http::form_body(context.request)) {
    add(*form);
  } else {
    throw Open311Error{http::Status::bad_request,
                       "send application/x-www-form-urlencoded (or multipart/form-data, or JSON)"};
  }
  for (const auto& [key, value] : fields)
    if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos || !http::valid_utf8(key) ||
        !http::valid_utf8(value))
      throw Open311Error{http::Status::bad_request,
                         (http::valid_utf8(key) && key.find('\0') == std::string::npos ? key : "a field") +
                             ": must be UTF-8 text without NUL bytes"};
  return fields;
}

std::optional<std::string> field(const Open311Fields& fields, const std::string& name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

bool english(const RequestContext& context, const Open311Fields& fields) {
  if (auto locale = field(fields, "locale")) return locale->starts_with("en");
  return context.request[http::beast::http::field::accept_language].starts_with("en");
}

// The one jurisdiction this endpoint serves: any given must be it (404 otherwise).
awaitable<void> check_jurisdiction(Services& services, const Open311Fields& fields) {
  auto given = field(fields, "jurisdiction_id");
  if (!given) co_return;
  auto ours = co_await services.settings.get("open311.jurisdiction_id");
  if (!ours || !ours->is_string() || ours->as_string() != *given)
    throw Open311Error{http::Status::not_found, "jurisdiction_id: no such jurisdiction here"};
}

struct Category {
  std::string code;
  workflow::Label label;
};

std::vector<Category> categories(Services& services) {
  std::vector<Category> out;
  const auto table = services.petitions.routing();
  for (const auto& code : table->categories()) out.push_back({code, *table->label_of(code)});
  return out;
}

std::optional<Category> category(Services& services, const std::string& code) {
  const auto table = services.petitions.routing();
  if (const auto* label = table->label_of(code)) return Category{code, *label};
  return std::nullopt;
}

std::string name_in(const workflow::Label& label, bool en) { return en ? label.en : label.zh; }

// ---- discovery and services ----

std::string base_url(const RequestContext& context) {
  auto host = context.request[http::beast::http::field::host];
  return std::string(context.secure ? "https://" : "http://") + std::string(host.empty() ? "localhost" : host) +
         "/open311/v2";
}

// The JSON of each answer is built outside the coroutines: GCC 12 mishandles braced temporaries in them.
json::object discovery_view(const std::string& url) {
  json::object endpoint{{"specification", "http://wiki.open311.org/GeoReport_v2"},
                        {"url", url},
                        {"changeset", "2026-12-02T00:00:00+08:00"},
                        {"type", "production"},
                        {"formats", json::array{"application/json", "text/xml"}}};
  return {{"changeset", "2026-12-02T00:00:00+08:00"},
          {"contact", "12385 残疾人服务热线"},
          {"key_service", "API tokens with the portal scope are issued by the administrator (POST /api/v1/tokens)"},
          {"endpoints", json::array{endpoint}}};
}

awaitable<Response> discovery(Services&, RequestContext& context, Open311Format format) {
  co_return open311_response(http::Status::ok, format, discovery_view(base_url(context)), "discovery");
}

json::array services_view(const std::vector<Category>& list, bool en) {
  json::array out;
  for (const auto& c : list)
    out.push_back(json::object{{"service_code", c.code},
                               {"service_name", name_in(c.label, en)},
                               {"description", name_in(c.label, en)},
                               {"metadata", true},
                               {"type", "realtime"},
                               {"keywords", ""},
                               {"group", en ? "Petitions" : "信访事项"}});
  return out;
}

awaitable<Response> services_list(Services& services, RequestContext& context, Open311Format format) {
  const auto fields = request_fields(context);
  co_await check_jurisdiction(services, fields);
  co_return open311_response(http::Status::ok, format, services_view(categories(services), english(context, fields)),
                             "services");
}

json::array choices(const std::vector<std::string>& keys, const std::map<std::string, std::string, std::less<>>& zh,
                    bool en) {
  json::array values;
  for (const auto& key : keys) {
    auto it = zh.find(key);
    values.push_back(json::object{{"key", key}, {"name", en || it == zh.end() ? key : it->second}});
  }
  return values;
}

json::object definition_view(const std::string& code, const workflow::Definition& definition, bool en) {
  json::array attributes{
      json::object{{"variable", true},
                   {"code", "type"},
                   {"datatype", "singlevaluelist"},
                   {"required", false},
                   {"datatype_description", en ? "help when not given" : "不选则为求助"},
                   {"order", 1},
                   {"description", en ? "What kind of matter" : "事项类型"},
                   {"values", choices(definition.types, type_names, en)}},
      json::object{{"variable", true},
                   {"code", "subject"},
                   {"datatype", "string"},
                   {"required", false},
                   {"datatype_description", en ? "up to 200 characters; the description's start when not given"
                                               : "不超过200字；不填则取描述的开头"},
                   {"order", 2},
                   {"description", en ? "Subject" : "标题"}},
      json::object{{"variable", true},
                   {"code", "urgency"},
                   {"datatype", "singlevaluelist"},
                   {"required", false},
                   {"datatype_description", en ? "normal when not given" : "不选则为一般"},
                   {"order", 3},
                   {"description", en ? "Urgency" : "紧急程度"},
                   {"values", choices(definition.urgencies, urgency_names, en)}}};
  return {{"service_code", code}, {"attributes", std::move(attributes)}};
}

awaitable<Response> service_definition(Services& services, RequestContext& context, std::string code,
                                       Open311Format format) {
  const auto fields = request_fields(context);
  co_await check_jurisdiction(services, fields);
  if (!category(services, code)) throw Open311Error{http::Status::not_found, "service_code: no such service"};
  const auto view = definition_view(code, services.petitions.active_workflow(), english(context, fields));
  co_return open311_response(http::Status::ok, format, view, "service_definition");
}

// ---- filing ----

// Our field names as an Open311 client knows them.
std::string open311_field(const std::string& field) {
  static const std::map<std::string, std::string> names{
      {"category", "service_code"},  {"content", "description"},        {"subject", "attribute[subject]"},
      {"type", "attribute[type]"},   {"urgency", "attribute[urgency]"}, {"petitioner.name", "first_name"},
      {"petitioner.phone", "phone"}, {"petitioner.email", "email"}};
  auto it = names.find(field);
  return it == names.end() ? field : it->second;
}

std::optional<double> coordinate(const Open311Fields& fields, const std::string& name, double limit) {
  auto text = field(fields, name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (end != text->c_str() + text->size() || !std::isfinite(value) || std::fabs(value) > limit)
    throw Open311Error{http::Status::bad_request, name + ": must be a number within ±" + std::to_string(int(limit))};
  return value;
}

std::string utf8_prefix(const std::string& text, std::size_t characters) {
  std::size_t at = 0, count = 0;
  while (at < text.size() && count < characters) {
    const auto c = static_cast<unsigned char>(text[at]);
    at += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++count;
  }
  return text.substr(0, std::min(at, text.size()));
}

// The petition a service request makes, as the portal's intake reads it.
json::object petition_body(const Open311Fields& fields, const std::string& code) {
  auto description = field(fields, "description");
  if (!description) throw Open311Error{http::Status::bad_request, "description: is required"};
  if (http::utf8_length(*description) > max_description)
    throw Open311Error{http::Status::bad_request, "description: must be at most 4000 characters"};
  for (std::size_t at = description->find('<'); at != std::string::npos; at = description->find('<', at + 1))
    if (at + 1 < description->size() && (std::isalpha(static_cast<unsigned char>((*description)[at + 1])) ||
                                         (*description)[at + 1] == '/' || (*description)[at + 1] == '!'))
      throw Open311Error{http::Status::bad_request, "description: must be plain text, not HTML"};
  const auto lat = coordinate(fields, "lat", 90);
  const auto lon = coordinate(fields, "long", 180);
  const auto address = field(fields, "address_string");
  const auto address_id = field(fields, "address_id");
  if ((lat.has_value() != lon.has_value()) || (!lat && !address && !address_id))
    throw Open311Error{http::Status::bad_request, "a location is required: lat and long, address_string or address_id"};
  // Where and what the reporter pointed at, kept with the content for the handlers.
  std::string content = *description;
  if (address) content += "\n【地点】" + *address;
  if (address_id) content += "\n【地址编号】" + *address_id;
  if (lat) content += "\n【位置】纬度 " + std::to_string(*lat) + "，经度 " + std::to_string(*lon);
  if (auto media = field(fields, "media_url")) {
    if (!(media->starts_with("https://") || media->starts_with("http://")) || media->size() > 1000)
      throw Open311Error{http::Status::bad_request, "media_url: must be an http(s) address"};
    content += "\n【图片】" + *media;
  }
  json::object body{
      {"category", code}, {"type", field(fields, "attribute[type]").value_or("help")}, {"content", content}};
  auto subject = field(fields, "attribute[subject]");
  body["subject"] = subject ? *subject : utf8_prefix(*description, 40);
  if (auto urgency = field(fields, "attribute[urgency]")) body["urgency"] = *urgency;
  json::object petitioner;
  const auto first = field(fields, "first_name"), last = field(fields, "last_name");
  // Chinese names are written family name first, without a space.
  if (first || last) {
    const bool latin = (first && static_cast<unsigned char>((*first)[0]) < 0x80) ||
                       (last && static_cast<unsigned char>((*last)[0]) < 0x80);
    petitioner["name"] = latin ? (first.value_or("") + (first && last ? " " : "") + last.value_or(""))
                               : last.value_or("") + first.value_or("");
  }
  if (auto phone = field(fields, "phone")) petitioner["phone"] = *phone;
  if (auto email = field(fields, "email")) petitioner["email"] = *email;
  body["petitioner"] = std::move(petitioner);
  for (const auto& [key, value] : fields)
    if (key.starts_with("attribute[") && key != "attribute[type]" && key != "attribute[subject]" &&
        key != "attribute[urgency]")
      throw Open311Error{http::Status::bad_request, key + ": this service has no such attribute"};
  return body;
}

json::array filed_view(const std::string& tracking_code, const std::optional<std::string>& account_id) {
  json::object request{{"service_request_id", tracking_code},
                       {"service_notice", "受理编号 " + tracking_code + "，请保存以便查询办理情况。"}};
  request["account_id"] = account_id ? json::value(*account_id) : json::value(nullptr);
  return json::array{request};
}

json::array token_view(const std::string& id) {
  return json::array{json::object{{"service_request_id", id}, {"token", id}}};
}

awaitable<Response> post_request(Services& services, RequestContext& context, Open311Format format) {
  const auto fields = request_fields(context);
  auto key = field(fields, "api_key");
  if (!key) throw Open311Error{http::Status::forbidden, "api_key: is required to file a request"};
  std::optional<Actor> actor;
  if (key->size() <= 128) actor = co_await services.auth.token_actor(*key);
  if (!actor || !actor->has_scope(Scope::portal))
    throw Open311Error{http::Status::forbidden, "api_key: not a key for filing requests (the portal scope)"};
  co_await check_jurisdiction(services, fields);
  auto code = field(fields, "service_code");
  if (!code) throw Open311Error{http::Status::bad_request, "service_code: is required"};
  if (!category(services, *code)) throw Open311Error{http::Status::not_found, "service_code: no such service"};
  auto body = petition_body(fields, *code);
  store::Intake intake{std::nullopt, context.remote_address, idempotency_key(context),
                       auth::sha256_hex(context.request.body())};
  try {
    auto input = petition_input(body, IntakeKind::portal, services.petitions.now());
    auto [petition, created] = co_await services.petitions.create(std::move(input), std::move(intake));
    const auto view = filed_view(petition.tracking_code, field(fields, "account_id"));
    co_return open311_response(created ? http::Status::created : http::Status::ok, format, view, "service_requests");
  } catch (const Error& error) {
    if (error.errc() != Errc::invalid_field) throw;
    throw Open311Error{http::Status::bad_request, open311_field(error.field()) + ": " + error.message()};
  }
}

// ---- reading ----

json::object request_view(Services& services, const store::PublicRequest& r, bool en) {
  const auto& definition = services.workflows.set().version(r.workflow, r.workflow_version);
  const auto* state = definition.state(r.state);
  const auto service = category(services, r.category);
  const bool closed = r.closed_at.has_value();
  json::object out{{"service_request_id", r.tracking_code},
                   {"status", closed ? "closed" : "open"},
                   {"status_notes", state ? name_in(state->label, en) : r.state},
                   {"service_name", service ? name_in(service->label, en) : r.category},
                   {"service_code", r.category},
                   {"description", r.content},
                   {"requested_datetime", r.received_at},
                   {"updated_datetime", closed ? *r.closed_at : r.updated_at}};
  out["agency_responsible"] = r.agency ? json::value(*r.agency) : json::value(nullptr);
  out["service_notice"] = nullptr;
  out["expected_datetime"] = !closed && r.due_at ? json::value(*r.due_at) : json::value(nullptr);
  return out;
}

std::int64_t w3c_time(const Open311Fields& fields, const std::string& name, std::int64_t fallback) {
  auto text = field(fields, name);
  if (!text) return fallback;
  auto parsed = text->find('T') == std::string::npos ? std::nullopt : parse_timestamp(*text);
  if (!parsed)
    throw Open311Error{http::Status::bad_request,
                       name + ": must be a W3C date and time with a zone, e.g. 2026-12-01T00:00:00Z"};
  return *parsed;
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(at, end - at);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    at = end + 1;
  }
  return out;
}

awaitable<Response> list_requests(Services& services, RequestContext& context, Open311Format format,
                                  std::optional<std::string> one) {
  const auto fields = request_fields(context);
  co_await check_jurisdiction(services, fields);
  store::PublicRequestQuery query;
  query.address = context.remote_address;
  if (one) {
    query.tracking_codes = {*one};
  } else if (auto ids = field(fields, "service_request_id")) {
    query.tracking_codes = comma_list(*ids);
    if (query.tracking_codes.size() > 1000)
      throw Open311Error{http::Status::bad_request, "service_request_id: at most 1000 ids"};
  } else {
    const auto now = services.petitions.now().time_since_epoch().count();
    constexpr std::int64_t window = std::int64_t(window_days) * 86400;
    const bool has_start = field(fields, "start_date").has_value();
    query.until = w3c_time(fields, "end_date", has_start ? w3c_time(fields, "start_date", 0) + window : now + 1);
    query.from = w3c_time(fields, "start_date", query.until - window);
    if (query.until < query.from) throw Open311Error{http::Status::bad_request, "end_date: lies before start_date"};
    if (query.until - query.from > window)
      throw Open311Error{http::Status::bad_request, "start_date, end_date: the range may not exceed 90 days"};
    if (auto code = field(fields, "service_code")) {
      if (!category(services, *code)) throw Open311Error{http::Status::not_found, "service_code: no such service"};
      query.category = *code;
    }
    if (auto status = field(fields, "status")) {
      bool open = false, closed = false;
      for (const auto& s : comma_list(*status)) {
        if (s == "open") open = true;
        else if (s == "closed") closed = true;
        else throw Open311Error{http::Status::bad_request, "status: must be open, closed or both"};
      }
      if (open != closed) query.closed = closed;
    }
  }
  const auto found = co_await services.public_requests.find(query);
  if (one && found.empty()) throw Open311Error{http::Status::not_found, "service_request_id: no such request"};
  const bool en = english(context, fields);
  json::array list;
  for (const auto& r : found) list.push_back(request_view(services, r, en));
  co_return open311_response(http::Status::ok, format, list, "service_requests");
}

// petitiond registers a request at once, so a POST answers with its service_request_id; a client that asks
// for a token anyway gets the tracking code back as both.
awaitable<Response> token(Services& services, RequestContext& context, std::string id, Open311Format format) {
  const auto fields = request_fields(context);
  co_await check_jurisdiction(services, fields);
  store::PublicRequestQuery query;
  query.tracking_codes = {id};
  query.address = context.remote_address;
  if ((co_await services.public_requests.find(query)).empty())
    throw Open311Error{http::Status::not_found, "token: no such token"};
  co_return open311_response(http::Status::ok, format, token_view(id), "service_requests");
}

// ---- routing ----

using Open311Handler = std::function<awaitable<Response>(RequestContext&, Open311Format, std::string)>;

// Runs `handler` for a resource segment with its format; every failure answers in the spec's error shape.
awaitable<Response> guarded(RequestContext& context, std::string segment, bool id_segment, Open311Handler handler) {
  auto resource = open311_resource(segment);
  const auto format = resource ? resource->format : Open311Format::json;
  try {
    if (!resource) throw Open311Error{http::Status::not_found, "no such resource: add .json or .xml"};
    std::string id = id_segment ? resource->name : std::string();
    auto handled = handler(context, resource->format, std::move(id));
    co_return co_await std::move(handled);
  } catch (const Open311Error& error) {
    co_return open311_error(error.status, format, static_cast<int>(error.status), error.description);
  } catch (...) {
    // The API's own mapping (statuses, Retry-After, logging of internal errors), in the spec's shape.
    auto response = http::error_response(std::current_exception(), context.request_id);
    const auto status = response.result();
    std::string description = "error";
    boost::system::error_code parse_error;
    auto body = json::parse(response.body(), parse_error);
    if (!parse_error && body.is_object())
      if (const auto* message = body.as_object().at("error").as_object().if_contains("message"))
        description = std::string(message->as_string());
    auto out = open311_error(status, format, static_cast<int>(status), description);
    if (response.count(http::beast::http::field::retry_after))
      out.set(http::beast::http::field::retry_after, response[http::beast::http::field::retry_after]);
    co_return out;
  }
}

// `segment` is a literal resource ("discovery.json"), or with `parameter` the path parameter holding "id.json".
void add_route(http::Router& router, http::Verb verb, const std::string& pattern, std::string segment, bool parameter,
               Open311Handler handler) {
  router.add(verb, pattern, http::Access::anyone(),
             [segment = std::move(segment), parameter, handler = std::move(handler)](RequestContext& context) {
               return guarded(context, parameter ? std::string(context.param(segment)) : segment, parameter, handler);
             });
}

}  // namespace

void add_open311_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  auto& s = services;
  const std::string base = "/open311/v2/";
  for (const std::string ext : {".json", ".xml"}) {
    add_route(
        router, Verb::get, base + "discovery" + ext, "discovery" + ext, false,
        [&s](RequestContext& context, Open311Format format, std::string) { return discovery(s, context, format); });
    add_route(
        router, Verb::get, base + "services" + ext, "services" + ext, false,
        [&s](RequestContext& context, Open311Format format, std::string) { return services_list(s, context, format); });
    add_route(router, Verb::get, base + "requests" + ext, "requests" + ext, false,
              [&s](RequestContext& context, Open311Format format, std::string) {
                return list_requests(s, context, format, std::nullopt);
              });
    add_route(
        router, Verb::post, base + "requests" + ext, "requests" + ext, false,
        [&s](RequestContext& context, Open311Format format, std::string) { return post_request(s, context, format); });
  }
  add_route(router, Verb::get, base + "services/{service_code}", "service_code", true,
            [&s](RequestContext& context, Open311Format format, std::string code) {
              return service_definition(s, context, code, format);
            });
  add_route(router, Verb::get, base + "requests/{service_request_id}", "service_request_id", true,
            [&s](RequestContext& context, Open311Format format, std::string id) {
              return list_requests(s, context, format, std::move(id));
            });
  add_route(
      router, Verb::get, base + "tokens/{token}", "token", true,
      [&s](RequestContext& context, Open311Format format, std::string id) { return token(s, context, id, format); });
  // Anything else under /open311/v2/ is unknown: 404 in the spec's shape.
  auto unknown = [](RequestContext& c) -> awaitable<Response> {
    auto resource = open311_resource(c.param(c.params.size() > 1 ? "id" : "resource"));
    co_return open311_error(http::Status::not_found, resource ? resource->format : Open311Format::json, 404,
                            "no such resource");
  };
  for (auto verb : {Verb::get, Verb::post}) {
    router.add(verb, base + "{resource}", Access::anyone(), unknown);
    router.add(verb, base + "{resource}/{id}", Access::anyone(), unknown);
  }
}

}  // namespace petitiond::api
