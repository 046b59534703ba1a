#include "server/api/report_requests.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::api {
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr int longest_period_days = 366 * 10;

bool one_of(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

awaitable<std::string> build_xlsx(Table table, std::filesystem::path scratch) { co_return to_xlsx(table, scratch); }

}  // namespace

// The period (default: this month so far), the scope unit and a level, category or channel filter.
store::ReportQuery report_query(const RequestContext& context, workflow::Instant now) {
  store::ReportQuery query;
  const auto today = workflow::local_date(now);
  auto date = [&context](const char* name) -> std::optional<workflow::Date> {
    auto text = http::query_param(context, name);
    if (!text) return std::nullopt;
    auto parsed = workflow::parse_date(*text);
    if (!parsed) throw Error(Errc::invalid_field, "must be a date, YYYY-MM-DD", name);
    return parsed;
  };
  query.last = date("to").value_or(today);
  const std::chrono::year_month_day last{query.last};
  query.first = date("from").value_or(std::chrono::sys_days{last.year() / last.month() / 1});
  if (query.first > query.last) throw Error(Errc::invalid_field, "must not be after 'to'", "from");
  if ((query.last - query.first).count() > longest_period_days)
    throw Error(Errc::invalid_field, "the period may be at most ten years", "from");
  query.unit_code = http::query_param(context, "unit");
  query.dimension = http::query_param(context, "dimension");
  query.value = http::query_param(context, "value");
  if (query.dimension && !one_of(*query.dimension, {"level", "category", "channel"}))
    throw Error(Errc::invalid_field, "must be level, category or channel", "dimension");
  if (query.dimension.has_value() != query.value.has_value())
    throw Error(Errc::invalid_field, "dimension and value go together", query.dimension ? "value" : "dimension");
  if (query.value && query.value->size() > 64)
    throw Error(Errc::invalid_field, "must be at most 64 characters", "value");
  return query;
}

bool english(const RequestContext& context) { return http::query_param(context, "lang") == "en"; }

std::optional<std::string> export_format(const RequestContext& context) {
  auto format = http::query_param(context, "format");
  if (!format || *format == "json") return std::nullopt;
  if (*format != "csv" && *format != "xlsx") throw Error(Errc::invalid_field, "must be json, csv or xlsx", "format");
  return format;
}

awaitable<Response> file_response(Services& services, Table table, const std::string& format, const std::string& name) {
  Response response;
  if (format == "csv") {
    response = http::text_response(http::Status::ok, to_csv(table), "text/csv; charset=utf-8");
  } else {
    auto task = build_xlsx(std::move(table), services.attachment_dir / "scratch");
    auto bytes = co_await boost::asio::co_spawn(services.workers, std::move(task), boost::asio::use_awaitable);
    response = http::text_response(http::Status::ok, std::move(bytes),
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
  response.set(http::beast::http::field::content_disposition, "attachment; filename=\"" + name + "." + format + "\"");
  co_return response;
}

boost::json::object data_source(const Services& services) {
  const auto state = services.reads.state();
  const bool standby = state.configured && state.up;
  return {{"database", standby ? "standby" : "primary"},
          {"standby_lag_seconds", standby && state.lag_seconds ? boost::json::value(*state.lag_seconds) : nullptr}};
}

}  // namespace petitiond::api
