// The managers' reports: summaries grouped by unit (with subtree roll-up), level, category or channel,
// rankings, weekly and monthly trends, and the petitions behind any figure; each as JSON, CSV or XLSX.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <algorithm>

#include "server/api/petition_views.hpp"
#include "server/api/report_export.hpp"
#include "server/api/report_figures.hpp"
#include "server/api/report_requests.hpp"
#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr int export_rows = 10'000;

bool one_of(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

std::string level_label(const std::string& level, bool en) {
  static const std::map<std::string, std::pair<const char*, const char*>> labels{
      {"district", {"区级", "District"}},
      {"department", {"区直部门", "Department"}},
      {"town", {"镇（街道）", "Town/street"}},
      {"village", {"村（社区）", "Village/community"}}};
  auto it = labels.find(level);
  if (it == labels.end()) return level;
  return en ? it->second.second : it->second.first;
}

std::vector<Cell> figure_cells(const store::ReportRow& row, bool with_current) {
  std::vector<Cell> cells;
  for (const auto& figure : report_figures()) {
    if (figure.current && !with_current) continue;
    auto value = figure.value(row);
    if (value) cells.emplace_back(*value);
    else cells.emplace_back();
  }
  return cells;
}

std::vector<std::string> figure_headers(bool en, bool with_current) {
  std::vector<std::string> headers;
  for (const auto& figure : report_figures())
    if (!figure.current || with_current) headers.push_back(en ? figure.en : figure.zh);
  return headers;
}

json::object scope_view(const store::ReportScope& scope) {
  return {{"code", scope.code}, {"name", scope.name}, {"level", scope.level}};
}

json::object period_view(const store::ReportQuery& query) {
  return {{"from", workflow::format_date(query.first)}, {"to", workflow::format_date(query.last)}};
}

awaitable<Response> summary(Services& services, RequestContext& context) {
  auto query = report_query(context, services.petitions.now());
  query.group_by = http::query_param(context, "group_by").value_or("unit");
  if (!one_of(query.group_by, {"unit", "level", "category", "channel"}))
    throw Error(Errc::invalid_field, "must be unit, level, category or channel", "group_by");
  query.level = http::query_param(context, "level");
  if (query.level && !one_of(*query.level, {"district", "department", "town", "village"}))
    throw Error(Errc::invalid_field, "must be district, department, town or village", "level");
  if (query.level && query.group_by != "unit")
    throw Error(Errc::invalid_field, "applies to group_by=unit only", "level");
  const Figure* sort = nullptr;
  if (auto name = http::query_param(context, "sort")) {
    sort = find_figure(*name);
    if (!sort) throw Error(Errc::invalid_field, "is not a figure of the reports", "sort");
  }
  const bool ascending = http::query_param(context, "order") == "asc";
  auto format = export_format(context);

  auto report = co_await services.reports.summary(actor_of(context), query);
  if (sort) {
    // A ranking: by the figure, units without one (nothing to rate) last, then by key.
    std::stable_sort(report.rows.begin(), report.rows.end(), [&](const store::ReportRow& a, const store::ReportRow& b) {
      auto x = sort->value(a), y = sort->value(b);
      if (x.has_value() != y.has_value()) return x.has_value();
      if (!x || *x == *y) return false;
      return ascending ? *x < *y : *x > *y;
    });
  }
  if (format) {
    const bool en = english(context);
    Table table{"summary", {en ? "Key" : "代码", en ? "Name" : "名称", en ? "Level" : "级别"}, {}};
    if (sort) table.headers.insert(table.headers.begin(), en ? "Rank" : "排名");
    for (auto& header : figure_headers(en, true)) table.headers.push_back(std::move(header));
    int rank = 0;
    auto add = [&](const store::ReportRow& row, bool is_total) {
      std::vector<Cell> cells;
      if (sort) cells.push_back(is_total ? Cell{} : Cell{static_cast<double>(++rank)});
      cells.push_back(is_total ? Cell{en ? std::string("Total") : std::string("合计")} : Cell{row.key});
      cells.push_back(row.label.empty() ? (query.group_by == "level" ? Cell{level_label(row.key, en)} : Cell{row.key})
                                        : Cell{row.label});
      if (row.level.empty()) cells.emplace_back();
      else cells.emplace_back(level_label(row.level, en));
      for (auto& cell : figure_cells(row, true)) cells.push_back(std::move(cell));
      table.rows.push_back(std::move(cells));
    };
    for (const auto& row : report.rows) add(row, false);
    add(report.total, true);
    const auto name = "report-" + report.scope.code + "-" + query.group_by + "-" + workflow::format_date(query.first) +
                      "-" + workflow::format_date(query.last);
    co_return co_await file_response(services, std::move(table), *format, name);
  }
  json::array rows;
  int rank = 0;
  for (const auto& row : report.rows) {
    auto view = figures_json(row);
    view["key"] = row.key;
    if (!row.label.empty()) view["label"] = row.label;
    if (!row.level.empty()) view["level"] = row.level;
    if (sort) view["rank"] = ++rank;
    rows.push_back(std::move(view));
  }
  auto total = figures_json(report.total);
  co_return http::json_response(http::Status::ok, {{"scope", scope_view(report.scope)},
                                                   {"period", period_view(query)},
                                                   {"group_by", query.group_by},
                                                   {"rows", std::move(rows)},
                                                   {"total", std::move(total)},
                                                   {"source", data_source(services)}});
}

awaitable<Response> trend(Services& services, RequestContext& context) {
  auto query = report_query(context, services.petitions.now());
  const auto interval = http::query_param(context, "interval").value_or("month");
  if (interval != "week" && interval != "month") throw Error(Errc::invalid_field, "must be week or month", "interval");
  auto format = export_format(context);
  auto [scope, points] = co_await services.reports.trend(actor_of(context), query, interval);
  if (format) {
    const bool en = english(context);
    Table table{"trend",
                {en ? (interval == "week" ? "Week of" : "Month") : (interval == "week" ? "周（起始日）" : "月份")},
                {}};
    for (auto& header : figure_headers(en, false)) table.headers.push_back(std::move(header));
    for (const auto& point : points) {
      store::ReportRow row{point.period, "", "", point.totals, {}};
      std::vector<Cell> cells{Cell{point.period}};
      for (auto& cell : figure_cells(row, false)) cells.push_back(std::move(cell));
      table.rows.push_back(std::move(cells));
    }
    const auto name = "trend-" + scope.code + "-" + interval + "-" + workflow::format_date(query.first) + "-" +
                      workflow::format_date(query.last);
    co_return co_await file_response(services, std::move(table), *format, name);
  }
  json::array out;
  for (const auto& point : points) {
    store::ReportRow row{point.period, "", "", point.totals, {}};
    auto view = figures_json(row, false);
    view["period"] = point.period;
    out.push_back(std::move(view));
  }
  co_return http::json_response(http::Status::ok, {{"scope", scope_view(scope)},
                                                   {"period", period_view(query)},
                                                   {"interval", interval},
                                                   {"points", std::move(out)},
                                                   {"source", data_source(services)}});
}

awaitable<Response> drill_down(Services& services, RequestContext& context) {
  auto query = report_query(context, services.petitions.now());
  auto measure = http::query_param(context, "measure");
  if (!measure) throw Error(Errc::invalid_field, "is required: the figure whose petitions to list", "measure");
  const auto& measures = store::drill_measures();
  if (std::find(measures.begin(), measures.end(), *measure) == measures.end())
    throw Error(Errc::invalid_field, "is not a figure of the reports", "measure");
  auto format = export_format(context);
  const int limit = format ? export_rows : static_cast<int>(http::query_integer(context, "limit", 1, 200).value_or(50));
  const auto after = format ? std::nullopt : http::query_param(context, "after");
  auto page = co_await services.reports.drill(actor_of(context), query, *measure, after, limit);
  if (format) {
    const bool en = english(context);
    Table table{
        "petitions",
        en ? std::vector<std::string>{"Tracking code", "Subject", "Category", "Channel", "State", "Responsible unit",
                                      "Counted at", "Value"}
           : std::vector<std::string>{"受理编号", "标题", "分类", "渠道", "状态", "责任单位", "计入时间", "数值"},
        {}};
    for (const auto& item : page.items) {
      const auto& p = item.petition;
      table.rows.push_back({Cell{p.tracking_code}, Cell{p.subject}, Cell{p.category}, Cell{p.channel}, Cell{p.state},
                            p.responsible_unit_name ? Cell{*p.responsible_unit_name} : Cell{}, Cell{item.at},
                            item.value ? Cell{*item.value} : Cell{}});
    }
    const auto name =
        "petitions-" + *measure + "-" + workflow::format_date(query.first) + "-" + workflow::format_date(query.last);
    co_return co_await file_response(services, std::move(table), *format, name);
  }
  json::array items;
  const auto calendars = services.calendars.current();
  for (const auto& item : page.items) {
    json::object view{{"at", item.at}, {"petition", summary_view(item.petition, *calendars, services.petitions.now())}};
    view["value"] = item.value ? json::value(*item.value) : json::value(nullptr);
    items.push_back(std::move(view));
  }
  co_return http::json_response(http::Status::ok, {{"measure", *measure},
                                                   {"period", period_view(query)},
                                                   {"items", std::move(items)},
                                                   {"next", page.next ? json::value(*page.next) : json::value(nullptr)},
                                                   {"source", data_source(services)}});
}

awaitable<Response> figures(Services&, RequestContext&) {
  json::array out;
  for (const auto& figure : report_figures())
    out.push_back(json::object{{"name", figure.name},
                               {"zh", figure.zh},
                               {"en", figure.en},
                               {"rate", figure.rate},
                               {"current", figure.current}});
  co_return http::json_response(http::Status::ok, {{"figures", std::move(out)}});
}

}  // namespace

void add_report_routes(http::Router& router, Services& services) {
  using http::Access;
  using http::Verb;
  const auto managers = Access::only({Role::manager});
  router.add(Verb::get, "/api/v1/reports/summary", managers,
             [&services](RequestContext& c) { return summary(services, c); });
  router.add(Verb::get, "/api/v1/reports/trend", managers,
             [&services](RequestContext& c) { return trend(services, c); });
  router.add(Verb::get, "/api/v1/reports/petitions", managers,
             [&services](RequestContext& c) { return drill_down(services, c); });
  router.add(Verb::get, "/api/v1/reports/figures", managers,
             [&services](RequestContext& c) { return figures(services, c); });
}

}  // namespace petitiond::api
