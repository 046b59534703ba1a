// Message templates for admins: the texts in force, and a preview of any topic, optionally with a draft of
// the admin's file laid over them, before it is saved.
#include <boost/json/array.hpp>

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"

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

awaitable<Response> list_templates(Services& services, RequestContext&) {
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
                                 {"file", file ? json::value(file->string()) : json::value(nullptr)}});
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
  const auto message = texts->render(topic, readers, values, language, services.templates.labels());
  const auto& chosen = texts->topics().at(topic);
  co_return http::json_response(http::Status::ok, {{"topic", topic},
                                                   {"readers", readers_name},
                                                   {"language", language},
                                                   {"urgent", chosen.urgent.value_or(false)},
                                                   {"subject", message.subject},
                                                   {"text", message.text}});
}

}  // namespace

void add_template_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/notifications/templates", admins,
             [&services](RequestContext& c) { return list_templates(services, c); });
  router.add(
      http::Verb::post, "/api/v1/notifications/preview", admins,
      [&services](RequestContext& c) { return preview(services, c); }, 128 * 1024);
}

}  // namespace petitiond::api
