// Message templates for admins: the texts in force, a preview of any topic (optionally with a draft laid over
// them), and the admin's texts saved in the app as numbered versions (over the shipped texts and any
// --message-templates file), each save audited and in force at once in every process; an earlier version, or
// none (version 0), can be put back.
#include <boost/json/array.hpp>

#include "server/logging/log.hpp"
#include "server/store/config_versions.hpp"

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/satisfaction_reply.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;
using notifications::MessageTexts;

namespace {

json::value texts_view(const std::optional<MessageTexts::Texts>& texts) {
  if (!texts) return nullptr;
  return json::object{{"zh", texts->zh}, {"en", texts->en}};
}

constexpr const char* templates_kind = "templates";
constexpr const char* templates_name = "default";

awaitable<Response> list_templates(Services& services, RequestContext&) {
  auto& versions = services.config_versions;
  const auto stored = co_await versions.in_force(templates_kind, templates_name);
  const auto texts = services.templates.current();
  json::object topics;
  for (const auto& [name, topic] : texts->topics())
    topics[name] = json::object{{"urgent", topic.urgent.value_or(false)},
                                {"subject", texts_view(topic.subject)},
                                {"petitioner", texts_view(topic.petitioner)},
                                {"staff", texts_view(topic.staff)}};
  json::array placeholders;
  for (const auto& name : MessageTexts::placeholders()) placeholders.push_back(json::string(name));
  const auto& file = services.templates.file();
  co_return http::json_response(http::Status::ok,
                                {{"topics", std::move(topics)},
                                 {"placeholders", std::move(placeholders)},
                                 {"file", file ? json::value(file->string()) : json::value(nullptr)},
                                 {"version", stored ? stored->version : 0},
                                 {"source", stored ? json::value(stored->source) : json::value(nullptr)}});
}

// Values that show every placeholder filled in, as a message would be.
json::object sample_values() {
  return {{"tracking_code", "20261128-0A1B2C"},
          {"state", "handling"},
          {"clock", "handling"},
          {"due_at", "2026-12-11T17:30:00+08:00"},
          {"reason", "需补充残疾人证复印件"},
          {"days", "15"},
          {"by", "区残联"},
          {"subject", "申请困难残疾人生活补贴"},
          {"petitioner", "张*"},
          {"date", "2026-11-28"},
          {"overdue_count", 2},
          {"overdue_list",
           "20261120-00A1B2  城关镇  2026-11-27T17:30:00+08:00\n20261121-00C3D4  河西村  2026-11-28T09:00:00+08:00"},
          {"escalated_count", 1},
          {"escalated_list", "20261120-00A1B2  城关镇  2026-11-28T09:00:05+08:00"}};
}

awaitable<Response> preview(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  const auto topic = fields.text("topic", 60);
  const auto readers_name = fields.optional_text("readers", 20).value_or("petitioner");
  if (readers_name != "petitioner" && readers_name != "staff")
    throw Error(Errc::invalid_field, "must be petitioner or staff", "readers");
  const auto language = fields.optional_text("language", 2).value_or("zh");
  if (language != "zh" && language != "en") throw Error(Errc::invalid_field, "must be zh or en", "language");
  const auto draft = fields.optional_text("draft", 64 * 1024);
  fields.known("values");
  fields.reject_unknown();
  auto values = sample_values();
  values["rate_by_text"] = workflow::satisfaction_invitation(language);  // as a text message shows it
  if (auto it = body.find("values"); it != body.end()) {
    if (!it->value().is_object()) throw Error(Errc::invalid_field, "must be an object of placeholder values", "values");
    for (const auto& [name, value] : it->value().as_object()) {
      if (!MessageTexts::placeholders().count(std::string(name)))
        throw Error(Errc::invalid_field, "has no placeholder {" + std::string(name) + "}", "values");
      values[name] = value;
    }
  }
  auto texts = services.templates.current();
  if (draft) {
    try {
      texts = std::make_shared<const MessageTexts>(texts->overlaid(MessageTexts::parse(*draft, true)));
    } catch (const std::invalid_argument& e) {
      throw Error(Errc::invalid_field, e.what(), "draft");
    }
  }
  if (!texts->topics().count(topic)) throw Error(Errc::invalid_field, "is not a message topic", "topic");
  const auto readers = readers_name == "staff" ? notifications::Readers::staff : notifications::Readers::petitioner;
  const auto message = texts->render(topic, readers, values, language, *services.templates.labels());
  const auto& chosen = texts->topics().at(topic);
  co_return http::json_response(http::Status::ok, {{"topic", topic},
                                                   {"readers", readers_name},
                                                   {"language", language},
                                                   {"urgent", chosen.urgent.value_or(false)},
                                                   {"subject", message.subject},
                                                   {"text", message.text}});
}

std::map<std::string, MessageTexts::Topic> parsed(const std::string& yaml) {
  try {
    return MessageTexts::parse(yaml, true);
  } catch (const std::invalid_argument& e) {
    throw Error(Errc::invalid_field, e.what(), "body");
  }
}

// The admin's texts (YAML, as the --message-templates file): checked, stored as the next version and put in
// force at once.
awaitable<Response> save_templates(Services& services, RequestContext& context) {
  auto yaml = http::yaml_body(context.request);
  parsed(yaml);
  auto& versions = services.config_versions;
  const int version = co_await versions.next_version(templates_kind, templates_name);
  auto event = audit_event(context, "templates.saved", "templates", std::to_string(version));
  store::ConfigVersion row{templates_kind, templates_name, version, std::move(yaml), "upload", {}, {}};
  co_await versions.add(std::move(row), actor_of(context).user_id, std::move(event), true);
  co_await reload_templates(services);
  co_return co_await list_templates(services, context);
}

awaitable<Response> list_versions(Services& services, RequestContext&) {
  auto& versions = services.config_versions;
  const auto stored = co_await versions.in_force(templates_kind, templates_name);
  json::array out;
  for (const auto& v : co_await versions.versions(templates_kind))
    out.push_back(json::object{{"version", v.version},
                               {"created_at", v.created_at},
                               {"created_by", v.created_by ? json::value(*v.created_by) : nullptr},
                               {"active", stored && stored->version == v.version},
                               {"source", v.source}});
  co_return http::json_response(http::Status::ok, {{"versions", std::move(out)}});
}

awaitable<Response> activate_version(Services& services, RequestContext& context) {
  const int version = http::path_version(context, "templates_version", 0);
  http::no_body_fields(context.request);
  auto& versions = services.config_versions;
  if (version > 0) {
    bool found = false;
    for (const auto& v : co_await versions.versions(templates_kind)) found = found || v.version == version;
    if (!found) throw Error(Errc::not_found, "no templates version " + std::to_string(version));
  }
  auto event = audit_event(context, "templates.activated", "templates", std::to_string(version));
  store::ConfigActivation activation{templates_kind, templates_name, version, std::nullopt, {}, {}};
  co_await versions.activate(std::move(activation), actor_of(context).user_id, std::move(event));
  co_await reload_templates(services);
  co_return co_await list_templates(services, context);
}

}  // namespace

awaitable<void> reload_templates(Services& services) {
  auto& versions = services.config_versions;
  const auto stored = co_await versions.in_force(templates_kind, templates_name);
  if (!stored) {
    services.templates.set_stored(std::nullopt);
    co_return;
  }
  try {
    services.templates.set_stored(MessageTexts::parse(stored->source, true));
  } catch (const std::invalid_argument& e) {
    spdlog::error("message templates version {} no longer parse ({}); the shipped and file texts are used",
                  stored->version, e.what());
    services.templates.set_stored(std::nullopt);
  }
}

void add_template_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/notifications/templates", admins,
             [&services](RequestContext& c) { return list_templates(services, c); });
  router.add(
      http::Verb::post, "/api/v1/notifications/preview", admins,
      [&services](RequestContext& c) { return preview(services, c); }, 128 * 1024);
  router.add(
      http::Verb::put, "/api/v1/notifications/templates", admins,
      [&services](RequestContext& c) { return save_templates(services, c); }, 128 * 1024);
  router.add(http::Verb::get, "/api/v1/notifications/templates/versions", admins,
             [&services](RequestContext& c) { return list_versions(services, c); });
  router.add(http::Verb::post, "/api/v1/notifications/templates/versions/{templates_version}/activate", admins,
             [&services](RequestContext& c) { return activate_version(services, c); });
}

}  // namespace petitiond::api
