// The messages behind the bell on every page: each user's in-app messages, newest first, and marking them
// read (docs/notifications.md, "In-app").
#include <boost/json/array.hpp>

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr std::size_t max_marked = 500;

json::object inbox_view(const store::Inbox& inbox) {
  json::array messages;
  for (const auto& m : inbox.messages)
    messages.push_back(json::object{
        {"id", m.id},
        {"at", m.at},
        {"topic", m.topic},
        {"title", m.title},
        {"text", m.text},
        {"petition", m.petition_id ? json::value(json::object{{"id", *m.petition_id},
                                                              {"tracking_code", m.tracking_code.value_or("")}})
                                   : json::value(nullptr)},
        {"read", m.read}});
  return {{"unread", inbox.unread}, {"messages", std::move(messages)}};
}

json::object unread_view(std::int64_t unread) { return {{"unread", unread}}; }

// The ids to mark: a list of message ids, or none for all.
std::optional<std::vector<std::int64_t>> marked_ids(const json::object& body) {
  auto it = body.find("ids");
  if (it == body.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_array()) throw Error(Errc::invalid_field, "must be a list of message ids", "ids");
  const auto& list = it->value().as_array();
  if (list.size() > max_marked)
    throw Error(Errc::invalid_field, "may name at most " + std::to_string(max_marked) + " messages", "ids");
  std::vector<std::int64_t> ids;
  for (const auto& id : list) {
    if (!id.is_int64() || id.as_int64() < 1) throw Error(Errc::invalid_field, "must be a list of message ids", "ids");
    ids.push_back(id.as_int64());
  }
  return ids;
}

awaitable<Response> list_messages(Services& services, RequestContext& context) {
  const auto limit = http::query_integer(context, "limit", 1, 100).value_or(20);
  const auto before = http::query_integer(context, "before", 1, std::numeric_limits<std::int64_t>::max());
  auto inbox = co_await services.inbox.list(actor_of(context), static_cast<int>(limit), before);
  co_return http::json_response(http::Status::ok, inbox_view(inbox));
}

awaitable<Response> mark_read(Services& services, RequestContext& context) {
  auto body = http::json_object_body(context.request);
  http::Fields fields(body);
  fields.known("ids");
  fields.reject_unknown();
  auto ids = marked_ids(body);
  const auto unread = co_await services.inbox.mark_read(actor_of(context), std::move(ids));
  co_return http::json_response(http::Status::ok, unread_view(unread));
}

}  // namespace

void add_inbox_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/me/notifications", http::Access::users(),
             [&services](RequestContext& c) { return list_messages(services, c); });
  router.add(http::Verb::post, "/api/v1/me/notifications/read", http::Access::users(),
             [&services](RequestContext& c) { return mark_read(services, c); });
}

}  // namespace petitiond::api
