// Dead letters for admins: deliveries that failed too often, and sending one again.
#include <boost/json/array.hpp>
#include <limits>

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

awaitable<Response> dead_letters(Services& services, RequestContext& context) {
  const auto limit = http::query_integer(context, "limit", 1, 500).value_or(100);
  const auto before = http::query_integer(context, "before", 1, std::numeric_limits<std::int64_t>::max());
  auto letters = co_await services.deliveries.dead_letters(before, limit);
  json::array items;
  for (auto& letter : letters) {
    // Phone numbers are masked here as everywhere; a URL or an address stays as the admin configured it.
    auto address = letter.address;
    if (address && letter.channel == "sms") address = mask_phone(*address);
    items.push_back(json::object{{"id", letter.id},
                                 {"outbox_id", letter.outbox_id},
                                 {"recipient", letter.recipient},
                                 {"channel", letter.channel},
                                 {"address", address ? json::value(*address) : json::value(nullptr)},
                                 {"topic", letter.topic},
                                 {"payload", std::move(letter.payload)},
                                 {"attempts", letter.attempts},
                                 {"last_error", letter.last_error},
                                 {"created_at", letter.created_at},
                                 {"failed_at", letter.failed_at}});
  }
  json::object body{{"dead_letters", std::move(items)}};
  if (static_cast<std::int64_t>(letters.size()) == limit) body["next_before"] = letters.back().id;
  co_return http::json_response(http::Status::ok, body);
}

awaitable<Response> resend(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "delivery_id");
  auto event = audit_event(context, "notification.resent", "delivery", std::to_string(id));
  co_await services.deliveries.resend(id, std::move(event));
  co_return http::json_response(http::Status::accepted, {{"id", id}, {"state", "pending"}});
}

}  // namespace

void add_notification_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/notifications/dead-letters", admins,
             [&services](RequestContext& c) { return dead_letters(services, c); });
  router.add(http::Verb::post, "/api/v1/notifications/dead-letters/{delivery_id}/resend", admins,
             [&services](RequestContext& c) { return resend(services, c); });
}

}  // namespace petitiond::api
