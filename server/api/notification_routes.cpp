// Dead letters for admins: deliveries that failed too often, and sending one again.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <limits>

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "server/pg/error.hpp"
#include "server/store/audit.hpp"
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
  pg::Statement list(
      "SELECT d.id, d.outbox_id, d.recipient, d.channel, d.address, d.topic, d.payload::text, d.attempts,"
      " coalesce(d.last_error, ''), iso_local(d.created_at), iso_local(d.next_attempt_at)"
      " FROM notification_deliveries d WHERE d.state = 'dead' AND ($1::bigint IS NULL OR d.id < $1)"
      " ORDER BY d.id DESC LIMIT $2",
      before, limit);
  auto rows = co_await services.pool.run_one(std::move(list));
  json::array items;
  for (int row = 0; row < rows.rows(); ++row) {
    const std::string channel(rows.text(row, 3));
    // Phone numbers are masked here as everywhere; a URL or an address stays as the admin configured it.
    auto address = rows.optional_text(row, 4);
    if (address && channel == "sms") address = mask_phone(*address);
    items.push_back(json::object{{"id", rows.integer(row, 0)},
                                 {"outbox_id", rows.integer(row, 1)},
                                 {"recipient", rows.text(row, 2)},
                                 {"channel", channel},
                                 {"address", address ? json::value(*address) : json::value(nullptr)},
                                 {"topic", rows.text(row, 5)},
                                 {"payload", json::parse(std::string(rows.text(row, 6)))},
                                 {"attempts", rows.integer(row, 7)},
                                 {"last_error", rows.text(row, 8)},
                                 {"created_at", rows.text(row, 9)},
                                 {"failed_at", rows.text(row, 10)}});
  }
  json::object body{{"dead_letters", std::move(items)}};
  if (rows.rows() == limit) body["next_before"] = rows.integer(rows.rows() - 1, 0);
  co_return http::json_response(http::Status::ok, body);
}

awaitable<Response> resend(Services& services, RequestContext& context) {
  const auto id = http::path_id(context, "delivery_id");
  auto event = audit_event(context, "notification.resent", "delivery", std::to_string(id));
  std::vector<pg::Statement> statements;
  statements.push_back(store::require_change(
      {"UPDATE notification_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL"
       " WHERE id = $1 AND state = 'dead' RETURNING 1",
       id},
      "no dead letter has this id"));
  statements.push_back(store::audit_insert(event));
  try {
    co_await services.pool.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) throw Error(Errc::not_found, "no dead letter has this id");
    throw;
  }
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
