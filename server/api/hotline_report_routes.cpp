// The hotline's figures for managers (docs/telephony.md, "Hotline figures"): by hour of day, day, month or
// operator, with the calls behind each figure; JSON, CSV or XLSX.
#include <boost/json/array.hpp>

#include "server/api/report_requests.hpp"
#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/calendar.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr int export_rows = 10'000;

awaitable<store::HotlineQuery> hotline_query(Services& services, const RequestContext& context) {
  const auto period = report_query(context, services.petitions.now());
  store::HotlineQuery query;
  query.from = workflow::start_of(period.first);
  query.until = workflow::start_of(period.last + std::chrono::days(1));
  query.group_by = http::query_param(context, "group_by").value_or("day");
  auto within = co_await services.settings.get("hotline.callback_within_minutes");
  if (within && within->is_int64()) query.within_minutes = static_cast<int>(within->as_int64());
  co_return query;
}

std::optional<double> rate(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

json::value number_or_null(const std::optional<double>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object figures_view(const store::HotlineFigures& f) {
  const auto missed = f.abandoned;
  return {{"offered", f.offered},
          {"answered", f.answered},
          {"answer_rate", number_or_null(rate(f.answered, f.offered))},
          {"abandoned", f.abandoned},
          {"abandoned_wait_seconds", number_or_null(f.abandoned_wait_seconds)},
          {"wait_seconds", number_or_null(f.wait_seconds)},
          {"talk_seconds", number_or_null(f.talk_seconds)},
          {"returned_in_time", f.returned_in_time},
          {"returned_late", f.returned_late},
          {"not_returned", f.not_returned},
          {"returned_in_time_rate", number_or_null(rate(f.returned_in_time, missed))}};
}

Table figures_table(const store::HotlineReport& report, const store::HotlineQuery& query, bool en) {
  const std::map<std::string, std::pair<const char*, const char*>> group_names{{"hour", {"时段", "Hour"}},
                                                                               {"day", {"日期", "Day"}},
                                                                               {"month", {"月份", "Month"}},
                                                                               {"operator", {"话务员", "Operator"}}};
  const auto& group = group_names.at(query.group_by);
  Table table{"hotline", {en ? group.second : group.first}, {}};
  for (const auto* header :
       en ? std::vector<const char*>{"Calls offered", "Answered", "Answer rate", "Abandoned",
                                     "Waited before abandoning (s)", "Average wait (s)", "Average talk (s)",
                                     "Returned in time", "Returned late", "Not returned", "Returned in time rate"}
          : std::vector<const char*>{"呼入量", "接通量", "接通率", "放弃量", "放弃前等待（秒）", "平均等待（秒）",
                                     "平均通话（秒）", "及时回拨", "超时回拨", "未回拨", "及时回拨率"})
    table.headers.emplace_back(header);
  auto add = [&table](const std::string& label, const store::HotlineFigures& f) {
    auto optional = [](const std::optional<double>& v) {
      Cell cell;
      if (v) cell = *v;
      return cell;
    };
    table.rows.push_back({Cell{label}, Cell{double(f.offered)}, Cell{double(f.answered)},
                          optional(rate(f.answered, f.offered)), Cell{double(f.abandoned)},
                          optional(f.abandoned_wait_seconds), optional(f.wait_seconds), optional(f.talk_seconds),
                          Cell{double(f.returned_in_time)}, Cell{double(f.returned_late)}, Cell{double(f.not_returned)},
                          optional(rate(f.returned_in_time, f.abandoned))});
  };
  for (const auto& row : report.rows)
    add(row.label.empty() && query.group_by == "operator" ? (en ? "Not answered" : "未接通") : row.label, row);
  add(en ? "Total" : "合计", report.total);
  return table;
}

json::object report_view(const store::HotlineReport& report, const store::HotlineQuery& query,
                         const store::ReportQuery& period) {
  json::array rows;
  for (const auto& row : report.rows) {
    auto view = figures_view(row);
    view["key"] = row.key;
    view["label"] = row.label;
    rows.push_back(std::move(view));
  }
  return {{"period", {{"from", workflow::format_date(period.first)}, {"to", workflow::format_date(period.last)}}},
          {"group_by", query.group_by},
          {"callback_within_minutes", query.within_minutes},
          {"rows", std::move(rows)},
          {"total", figures_view(report.total)}};
}

awaitable<Response> hotline_figures(Services& services, RequestContext& context) {
  const auto period = report_query(context, services.petitions.now());
  auto query = co_await hotline_query(services, context);
  const auto format = export_format(context);
  const auto report = co_await services.hotline_report.figures(query);
  if (format) {
    auto table = figures_table(report, query, english(context));
    const auto name = "hotline-" + query.group_by + "-" + workflow::format_date(period.first) + "-" +
                      workflow::format_date(period.last);
    co_return co_await file_response(services, std::move(table), *format, name);
  }
  auto view = report_view(report, query, period);
  view["source"] = data_source(services);
  co_return http::json_response(http::Status::ok, view);
}

json::object call_view(const store::HotlineCall& call) {
  auto text = [](const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); };
  auto number = [](const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); };
  return {{"call_id", call.call_id},
          {"from", call.from_key ? json::value(mask_phone(*call.from_key)) : json::value("anonymous")},
          {"started_at", call.started_at},
          {"answered_at", text(call.answered_at)},
          {"ended_at", text(call.ended_at)},
          {"cause", text(call.cause)},
          {"answered_by", text(call.operator_name)},
          {"called_back_at", text(call.called_back_at)},
          {"wait_seconds", number(call.wait_seconds)},
          {"talk_seconds", number(call.talk_seconds)},
          {"missed", call.missed}};
}

awaitable<Response> hotline_calls(Services& services, RequestContext& context) {
  auto query = co_await hotline_query(services, context);
  auto measure = http::query_param(context, "measure");
  if (!measure) throw Error(Errc::invalid_field, "is required: the figure whose calls to list", "measure");
  const auto& measures = store::hotline_measures();
  if (std::find(measures.begin(), measures.end(), *measure) == measures.end())
    throw Error(Errc::invalid_field, "is not a hotline figure", "measure");
  const auto format = export_format(context);
  const int limit =
      format ? export_rows : static_cast<int>(http::query_integer(context, "limit", 1, 500).value_or(100));
  const auto key = http::query_param(context, "key");
  if (key && key->size() > 20) throw Error(Errc::invalid_field, "must be at most 20 characters", "key");
  const auto calls = co_await services.hotline_report.calls(query, *measure, key, limit);
  if (format) {
    const bool en = english(context);
    Table table{"calls",
                en ? std::vector<std::string>{"Call", "Caller", "Started", "Answered", "Ended", "Cause", "Operator",
                                              "Called back", "Wait (s)", "Talk (s)"}
                   : std::vector<std::string>{"呼叫编号", "来电号码", "来电时间", "接听时间", "挂断时间", "挂断原因",
                                              "话务员", "回拨时间", "等待（秒）", "通话（秒）"},
                {}};
    auto text = [](const std::optional<std::string>& v) {
      Cell cell;
      if (v) cell = *v;
      return cell;
    };
    auto number = [](const std::optional<std::int64_t>& v) {
      Cell cell;
      if (v) cell = double(*v);
      return cell;
    };
    for (const auto& c : calls)
      table.rows.push_back({Cell{c.call_id}, Cell{c.from_key ? mask_phone(*c.from_key) : std::string("anonymous")},
                            Cell{c.started_at}, text(c.answered_at), text(c.ended_at), text(c.cause),
                            text(c.operator_name), text(c.called_back_at), number(c.wait_seconds),
                            number(c.talk_seconds)});
    co_return co_await file_response(services, std::move(table), *format, "hotline-calls-" + *measure);
  }
  json::array items;
  for (const auto& call : calls) items.push_back(call_view(call));
  co_return http::json_response(http::Status::ok, {{"measure", *measure}, {"items", std::move(items)}});
}

}  // namespace

void add_hotline_report_routes(http::Router& router, Services& services) {
  const auto managers = http::Access::only({Role::manager});
  router.add(http::Verb::get, "/api/v1/reports/hotline", managers,
             [&services](RequestContext& c) { return hotline_figures(services, c); });
  router.add(http::Verb::get, "/api/v1/reports/hotline/calls", managers,
             [&services](RequestContext& c) { return hotline_calls(services, c); });
}

}  // namespace petitiond::api
