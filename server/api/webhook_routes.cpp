// Webhooks for admins: systems told of every message of some topics, with a signing secret shown once.
#include <boost/json/array.hpp>

#include "notifications/address_policy.hpp"
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

json::object webhook_view(const store::Webhook& webhook) {
  json::array topics;
  for (const auto& topic : webhook.topics) topics.emplace_back(topic);
  return json::object{{"id", webhook.id},         {"name", webhook.name},
                      {"url", webhook.url},       {"topics", std::move(topics)},
                      {"active", webhook.active}, {"created_at", webhook.created_at}};
}

std::string checked_url(const Services& services, std::string url) {
  if (auto problem = notifications::webhook_target_problem(url, services.webhooks_allow_private); !problem.empty())
    throw Error(Errc::invalid_field, problem, "url");
  return url;
}

std::optional<std::vector<std::string>> topics_field(Services& services, http::Fields& fields,
                                                     const json::object& body) {
  fields.known("topics");
  auto it = body.find("topics");
  if (it == body.end()) return std::nullopt;
  if (!it->value().is_array())
    throw Error(Errc::invalid_field, "must be a list of message topics (empty: all)", "topics");
  const auto texts = services.templates.current();
  if (it->value().as_array().size() > texts->topics().size())
    throw Error(Errc::invalid_field, "has at most one entry per message topic", "topics");
  std::vector<std::string> topics;
  for (const auto& item : it->value().as_array()) {
    if (!item.is_string() || !texts->topics().count(std::string(item.as_string())))
      throw Error(Errc::invalid_field, "has something that is not a message topic", "topics");
    std::string topic(item.as_string());
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) topics.push_back(std::move(topic));
  }
  return topics;
}

awaitable<Response> list_webhooks(Services& services, RequestContext&) {
  auto webhooks = co_await services.webhooks.list();
  json::array items;
  for (const auto& webhook : webhooks) items.push_back(webhook_view(webhook));
  co_return http::json_response(http::Status::ok, {{"webhooks", std::move(items)}});
}

awaitable<Response> create_webhook(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  const auto name = fields.text("name", 100);
  const auto url = checked_url(services, fields.text("url", 500));
  const auto topics = topics_field(services, fields, body).value_or(std::vector<std::string>{});
  fields.reject_unknown();
  const auto secret = auth::random_token();
  auto event = audit_event(context, "webhook.created", "webhook");
  event.details["url"] = url;
  auto webhook = co_await services.webhooks.create(name, url, secret, topics, std::move(event));
  auto view = webhook_view(webhook);
  view["secret"] = secret;  // shown once: the receiver checks X-Petitiond-Signature with it
  co_return http::json_response(http::Status::created, view);
}

awaitable<Response> change_webhook(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "webhook_id");
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  store::WebhookChange change;
  change.name = fields.optional_text("name", 100);
  if (change.name && change.name->empty()) throw Error(Errc::invalid_field, "must not be empty", "name");
  change.url = fields.optional_text("url", 500);
  if (change.url) change.url = checked_url(services, *change.url);
  change.topics = topics_field(services, fields, body);
  change.active = fields.optional_bool("active");
  fields.reject_unknown();
  auto event = audit_event(context, "webhook.changed", "webhook", std::to_string(id));
  auto webhook = co_await services.webhooks.change(id, std::move(change), std::move(event));
  co_return http::json_response(http::Status::ok, webhook_view(webhook));
}

awaitable<Response> delete_webhook(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "webhook_id");
  auto event = audit_event(context, "webhook.deleted", "webhook", std::to_string(id));
  co_await services.webhooks.remove(id, std::move(event));
  co_return no_content();
}

}  // namespace

void add_webhook_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/webhooks", admins,
             [&services](RequestContext& c) { return list_webhooks(services, c); });
  router.add(http::Verb::post, "/api/v1/webhooks", admins,
             [&services](RequestContext& c) { return create_webhook(services, c); });
  router.add(http::Verb::patch, "/api/v1/webhooks/{webhook_id}", admins,
             [&services](RequestContext& c) { return change_webhook(services, c); });
  router.add(http::Verb::delete_, "/api/v1/webhooks/{webhook_id}", admins,
             [&services](RequestContext& c) { return delete_webhook(services, c); });
}

}  // namespace petitiond::api
