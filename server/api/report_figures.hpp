#pragma once
// The figures of a report row, derived from its sums: counts, rates, satisfaction on the five- and the
// three-level scale, handling time. One list drives the JSON, the CSV and the XLSX, and what may be
// sorted on.
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/store/reports.hpp"

namespace petitiond::api {

struct Figure {
  std::string name;  // the JSON key and sort key
  std::string zh, en;
  std::function<std::optional<double>(const store::ReportRow&)> value;  // none: nothing to rate yet
  bool rate = false;
  bool current = false;  // about now (overdue), not the period: left out of trends
};

const std::vector<Figure>& report_figures();
const Figure* find_figure(const std::string& name);

// p90 of handling time as the upper bound of the histogram bucket it falls in (none when nothing was
// replied, or it lies beyond the last bound).
std::optional<double> p90_handling_days(const store::ReportTotals& totals);

boost::json::object figures_json(const store::ReportRow& row, bool with_current = true);

}  // namespace petitiond::api
