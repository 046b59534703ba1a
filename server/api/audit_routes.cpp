// The audit log, for admins: filtered, newest first, paged by id.
#include <boost/json/array.hpp>
#include <cstring>
#include <limits>

#include "server/api/routes.hpp"
#include "server/api/views.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "server/pg/error.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

// ISO 8601 dates or date-times are passed on to PostgreSQL; anything else is refused here.
std::optional<std::string> timestamp_param(const RequestContext& context, std::string_view name) {
  auto value = http::query_param(context, name);
  if (!value) return value;
  bool plausible = value->size() >= 10 && value->size() <= 35 &&
                   std::isdigit(static_cast<unsigned char>((*value)[0])) && (*value)[4] == '-' && (*value)[7] == '-';
  for (char c : *value)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || std::strchr("-:T.Z+ ", c))) plausible = false;
  if (!plausible) throw Error(Errc::invalid_field, "must be an ISO 8601 date or date-time", std::string(name));
  return value;
}

awaitable<Response> query(Services& services, RequestContext& context) {
  store::AuditQuery q;
  q.action = http::query_param(context, "action");
  q.actor_login = http::query_param(context, "actor");
  q.target_type = http::query_param(context, "target_type");
  q.target_id = http::query_param(context, "target_id");
  q.since = timestamp_param(context, "since");
  q.until = timestamp_param(context, "until");
  q.before_id = http::query_integer(context, "before", 1, std::numeric_limits<std::int64_t>::max());
  q.limit = static_cast<int>(http::query_integer(context, "limit", 1, 500).value_or(100));
  std::vector<store::AuditRecord> records;
  try {
    records = co_await services.audit.query(q);
  } catch (const pg::QueryError& e) {
    if (e.in_class(pg::sqlstate::data_exception))
      throw Error(Errc::invalid_field, "is not a valid date or date-time", "since");
    throw;
  }
  json::array items;
  for (const auto& record : records) items.push_back(audit_view(record));
  json::object body{{"events", std::move(items)}};
  if (static_cast<int>(records.size()) == q.limit) body["next_before"] = records.back().id;
  co_return http::json_response(http::Status::ok, body);
}

}  // namespace

void add_audit_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/audit", http::Access::only({Role::admin}),
             [&services](RequestContext& c) { return query(services, c); });
}

}  // namespace petitiond::api
