// Webhooks for admins: systems told of every message of some topics, with a signing secret shown once.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "notifications/address_policy.hpp"
#include "server/api/routes.hpp"
#include "server/auth/secrets.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "server/pg/error.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr const char* webhook_columns = "id, name, url, array_to_json(topics)::text, active, iso_local(created_at)";

json::value webhook_view(const pg::Result& rows, int row) {
  return json::object{{"id", rows.integer(row, 0)},
                      {"name", rows.text(row, 1)},
                      {"url", rows.text(row, 2)},
                      {"topics", json::parse(std::string(rows.text(row, 3)))},
                      {"active", rows.boolean(row, 4)},
                      {"created_at", rows.text(row, 5)}};
}

std::string checked_url(const Services& services, std::string url) {
  if (auto problem = notifications::webhook_target_problem(url, services.webhooks_allow_private); !problem.empty())
    throw Error(Errc::invalid_field, problem, "url");
  return url;
}

std::optional<std::vector<std::string>> topics_field(Services& services, http::Fields& fields, const json::object& body) {
  fields.known("topics");
  auto it = body.find("topics");
  if (it == body.end()) return std::nullopt;
  if (!it->value().is_array()) throw Error(Errc::invalid_field, "must be a list of message topics (empty: all)", "topics");
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
  auto rows = co_await services.pool.run_one(
      pg::Statement(std::string("SELECT ") + webhook_columns + " FROM webhooks ORDER BY id"));
  json::array items;
  for (int row = 0; row < rows.rows(); ++row) items.push_back(webhook_view(rows, row));
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
  std::vector<pg::Statement> statements;
  statements.emplace_back(std::string("INSERT INTO webhooks (name, url, secret, topics) VALUES ($1, $2, $3, $4::text[])"
                                      " RETURNING ") + webhook_columns,
                          name, url, secret, pg::words_literal(topics));
  auto event = audit_event(context, "webhook.created", "webhook");
  event.details["url"] = url;
  statements.push_back(store::audit_insert(event));
  auto results = co_await services.pool.run(std::move(statements));
  auto view = webhook_view(results[0], 0).as_object();
  view["secret"] = secret;  // shown once: the receiver checks X-Petitiond-Signature with it
  co_return http::json_response(http::Status::created, view);
}

awaitable<Response> change_webhook(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "webhook_id");
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  const auto name = fields.optional_text("name", 100);
  if (name && name->empty()) throw Error(Errc::invalid_field, "must not be empty", "name");
  auto url = fields.optional_text("url", 500);
  if (url) url = checked_url(services, *url);
  const auto topics = topics_field(services, fields, body);
  const auto active = fields.optional_bool("active");
  fields.reject_unknown();
  std::vector<pg::Statement> statements;
  statements.push_back(store::require_change(
      {"UPDATE webhooks SET name = coalesce($2, name), url = coalesce($3, url), topics = coalesce($4::text[], topics),"
       " active = coalesce($5, active) WHERE id = $1 RETURNING 1",
       id, name, url, topics ? std::optional(pg::words_literal(*topics)) : std::nullopt, active},
      "no webhook has this id"));
  statements.push_back(store::audit_insert(audit_event(context, "webhook.changed", "webhook", std::to_string(id))));
  statements.emplace_back(std::string("SELECT ") + webhook_columns + " FROM webhooks WHERE id = $1", id);
  auto results = co_await services.pool.run(std::move(statements));
  co_return http::json_response(http::Status::ok, webhook_view(results[2], 0).as_object());
}

awaitable<Response> delete_webhook(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "webhook_id");
  std::vector<pg::Statement> statements;
  statements.push_back(store::require_change({"DELETE FROM webhooks WHERE id = $1 RETURNING 1", id}, "no webhook has this id"));
  statements.push_back(store::audit_insert(audit_event(context, "webhook.deleted", "webhook", std::to_string(id))));
  co_await services.pool.run(std::move(statements));
  co_return no_content();
}

}  // namespace

void add_webhook_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/webhooks", admins, [&services](RequestContext& c) { return list_webhooks(services, c); });
  router.add(http::Verb::post, "/api/v1/webhooks", admins, [&services](RequestContext& c) { return create_webhook(services, c); });
  router.add(http::Verb::patch, "/api/v1/webhooks/{webhook_id}", admins,
             [&services](RequestContext& c) { return change_webhook(services, c); });
  router.add(http::Verb::delete_, "/api/v1/webhooks/{webhook_id}", admins,
             [&services](RequestContext& c) { return delete_webhook(services, c); });
}

}  // namespace petitiond::api
