#include "server/api/report_figures.hpp"

#include <boost/json/array.hpp>
#include <cmath>

#include "workflow/reporting.hpp"

namespace petitiond::api {
namespace json = boost::json;
using store::ReportRow;

namespace {

std::optional<double> ratio(double part, double whole) {
  if (whole <= 0) return std::nullopt;
  return std::round(part / whole * 10000.0) / 10000.0;
}

Figure count(std::string column, std::string zh, std::string en) {
  auto name = column;
  return {std::move(name), std::move(zh), std::move(en),
          [column](const ReportRow& r) -> std::optional<double> { return r.totals[column]; }};
}

Figure rate(std::string name, std::string zh, std::string en, std::function<double(const ReportRow&)> part,
            std::function<double(const ReportRow&)> whole) {
  return {std::move(name), std::move(zh), std::move(en),
          [part, whole](const ReportRow& r) { return ratio(part(r), whole(r)); }, true};
}

double column(const ReportRow& r, const char* name) { return r.totals[name]; }

}  // namespace

std::optional<double> p90_handling_days(const store::ReportTotals& totals) {
  const double replied = totals["replied"];
  if (replied <= 0) return std::nullopt;
  const auto& bounds = workflow::handling_time_buckets();
  const double needed = std::ceil(replied * 0.9);
  double seen = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    seen += totals["h" + std::to_string(i)];
    if (seen >= needed) return std::isinf(bounds[i]) ? std::nullopt : std::optional(bounds[i]);
  }
  return std::nullopt;
}

const std::vector<Figure>& report_figures() {
  static const std::vector<Figure> figures = [] {
    auto sat = [](const ReportRow& r, int level) { return r.totals["sat" + std::to_string(level)]; };
    auto answered = [sat](const ReportRow& r) { return sat(r, 1) + sat(r, 2) + sat(r, 3) + sat(r, 4) + sat(r, 5); };
    std::vector<Figure> f{
        count("received", "登记数", "Received"),
        count("repeats", "重复件", "Repeats"),
        count("accepted", "受理数", "Accepted"),
        count("not_accepted", "不予受理", "Not accepted"),
        count("dispatched", "派单数", "Dispatched"),
        count("signed_for", "签收数", "Signed for"),
        count("signed_on_time", "按时签收", "Signed for on time"),
        rate(
            "timely_sign_for_rate", "及时签收率", "Timely sign-for rate",
            [](const ReportRow& r) { return column(r, "signed_on_time"); },
            [](const ReportRow& r) { return column(r, "signed_for"); }),
        count("returned", "退单数", "Returned"),
        rate(
            "return_rate", "退单率", "Return rate", [](const ReportRow& r) { return column(r, "returned"); },
            [](const ReportRow& r) { return column(r, "dispatched"); }),
        count("replied", "办结（答复）数", "Replied"),
        count("replied_on_time", "按时办结", "Replied on time"),
        rate(
            "on_time_rate", "按时办结率", "On-time completion rate",
            [](const ReportRow& r) { return column(r, "replied_on_time"); },
            [](const ReportRow& r) { return column(r, "replied"); }),
        {"overdue_now", "当前超期", "Overdue now",
         [](const ReportRow& r) -> std::optional<double> { return static_cast<double>(r.overdue.count); }, false, true},
        {"overdue_up_to_1_day", "超期1天内", "Overdue ≤ 1 day",
         [](const ReportRow& r) -> std::optional<double> { return static_cast<double>(r.overdue.up_to_1_day); }, false,
         true},
        {"overdue_up_to_3_days", "超期1–3天", "Overdue 1–3 days",
         [](const ReportRow& r) -> std::optional<double> { return static_cast<double>(r.overdue.up_to_3_days); }, false,
         true},
        {"overdue_up_to_7_days", "超期3–7天", "Overdue 3–7 days",
         [](const ReportRow& r) -> std::optional<double> { return static_cast<double>(r.overdue.up_to_7_days); }, false,
         true},
        {"overdue_over_7_days", "超期7天以上", "Overdue > 7 days",
         [](const ReportRow& r) -> std::optional<double> { return static_cast<double>(r.overdue.over_7_days); }, false,
         true},
        {"overdue_longest_days", "最长超期（天）", "Longest overdue (days)",
         [](const ReportRow& r) -> std::optional<double> { return std::round(r.overdue.longest_days * 100) / 100; },
         false, true},
        count("reminded", "催办数", "Reminders"),
        count("supervised", "督办数", "Supervisions"),
        count("escalated_to_district", "升级至区级", "Escalated to district"),
        count("escalated_to_department", "升级至部门", "Escalated to a department"),
        count("escalated_to_town", "升级至镇街", "Escalated to town"),
        count("escalated_to_village", "升级至村社区", "Escalated to village"),
        count("criticised", "通报数", "Listed for criticism"),
        count("extended", "延期数", "Extensions"),
        count("redone", "重办数", "Redone"),
        rate(
            "redo_rate", "重办率", "Redo rate", [](const ReportRow& r) { return column(r, "redone"); },
            [](const ReportRow& r) { return column(r, "replied"); }),
        count("sat5", "非常满意", "Very satisfied"),
        count("sat4", "满意", "Satisfied"),
        count("sat3", "基本满意", "Basically satisfied"),
        count("sat2", "不满意", "Dissatisfied"),
        count("sat1", "非常不满意", "Very dissatisfied"),
        {"satisfaction_answered", "回访评价数", "Callbacks rated",
         [answered](const ReportRow& r) -> std::optional<double> { return answered(r); }},
        rate(
            "satisfaction_rate", "满意率（含基本满意）", "Satisfaction rate (incl. basically)",
            [sat](const ReportRow& r) { return sat(r, 5) + sat(r, 4) + sat(r, 3); }, answered),
        rate(
            "three_level_satisfied", "三级：满意", "3-level: satisfied",
            [sat](const ReportRow& r) { return sat(r, 5) + sat(r, 4); }, answered),
        rate(
            "three_level_basically_satisfied", "三级：基本满意", "3-level: basically satisfied",
            [sat](const ReportRow& r) { return sat(r, 3); }, answered),
        rate(
            "three_level_dissatisfied", "三级：不满意", "3-level: dissatisfied",
            [sat](const ReportRow& r) { return sat(r, 2) + sat(r, 1); }, answered),
        {"average_handling_days", "平均办理时长（工作日）", "Average handling time (working days)",
         [](const ReportRow& r) -> std::optional<double> {
           const double replied = column(r, "replied");
           if (replied <= 0) return std::nullopt;
           return std::round(column(r, "handling_days") / replied * 100) / 100;
         }},
        {"p90_handling_days", "90%办理时长不超过（工作日）", "p90 handling time, at most (working days)",
         [](const ReportRow& r) { return p90_handling_days(r.totals); }},
    };
    return f;
  }();
  return figures;
}

const Figure* find_figure(const std::string& name) {
  for (const auto& figure : report_figures())
    if (figure.name == name) return &figure;
  return nullptr;
}

json::object figures_json(const ReportRow& row, bool with_current) {
  json::object out;
  for (const auto& figure : report_figures()) {
    if (figure.current && !with_current) continue;
    auto value = figure.value(row);
    if (!value) out[figure.name] = nullptr;
    else if (figure.rate || std::floor(*value) != *value) out[figure.name] = *value;
    else out[figure.name] = static_cast<std::int64_t>(*value);
  }
  json::array histogram;
  const auto& bounds = workflow::handling_time_buckets();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    json::object bucket{{"count", static_cast<std::int64_t>(row.totals["h" + std::to_string(i)])}};
    if (std::isinf(bounds[i])) bucket["up_to"] = nullptr;
    else bucket["up_to"] = bounds[i];
    histogram.push_back(std::move(bucket));
  }
  out["handling_histogram"] = std::move(histogram);
  return out;
}

}  // namespace petitiond::api
