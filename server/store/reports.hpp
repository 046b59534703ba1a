#pragma once
// The managers' reports: sums of the rollups (kept by folding report facts, see
// schemas/functions/fold_report_facts.sql) over a period for a scope unit's subtree, grouped by unit, level, category
// or channel; trends by week or month; the overdue petitions now; and the facts (petitions) behind any figure.
// Everything is within the manager's subtree.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/pg/read_pool.hpp"
#include "server/store/petitions.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::store {

// The rollup columns every report row sums, in the table's order.
const std::vector<std::string>& rollup_columns();

struct ReportTotals {
  std::vector<double> values = std::vector<double>(rollup_columns().size(), 0.0);  // by rollup_columns()
  double operator[](std::string_view column) const;
};

// Petitions past their deadline now, and by how long (calendar days).
struct OverdueNow {
  std::int64_t count = 0, up_to_1_day = 0, up_to_3_days = 0, up_to_7_days = 0, over_7_days = 0;
  double longest_days = 0;
};

struct ReportRow {
  std::string key;    // the unit's code, the level, category or channel; "" for the scope's total
  std::string label;  // the unit's name (unit rows)
  std::string level;  // the unit's level (unit rows)
  ReportTotals totals;
  OverdueNow overdue;
};

struct ReportScope {
  std::int64_t id = 0;
  std::string code, name, path, level;
};

struct ReportQuery {
  std::optional<std::string> unit_code;  // the scope: the manager's unit (default) or one in its subtree
  workflow::Date first, last;            // local dates, inclusive
  std::string group_by = "unit";         // unit | level | category | channel
  std::optional<std::string> level;      // group_by unit: every unit of this level in the scope, not its children
  std::optional<std::string> dimension, value;  // trend and drill-down: only this level, category or channel
};

struct Report {
  ReportScope scope;
  ReportRow total;
  std::vector<ReportRow> rows;
};

struct TrendPoint {
  std::string period;  // the week's Monday or the month's first day, YYYY-MM-DD
  ReportTotals totals;
};

struct DrillItem {
  std::int64_t fact_id = 0;
  std::string at;
  std::optional<double> value;
  PetitionSummary petition;
};

struct DrillPage {
  std::vector<DrillItem> items;
  std::optional<std::string> next;
};

// The figures a drill-down lists the petitions of: a fact measure, a subset of one, or overdue_now.
const std::vector<std::string>& drill_measures();

class ReportStore {
 public:
  // Folding writes to `pool`; the reports read through `reads` (a standby, when one is configured).
  ReportStore(pg::Pool& pool, pg::ReadPool& reads, Clock clock);

  // Adds up to `batch` queued facts into the rollups; returns how many.
  boost::asio::awaitable<int> fold(int batch);
  // Overdue now (overdue_tally): moves up to `batch` petitions into the lateness class the clock
  // now gives them, and adds up to `batch` logged changes into the tally; each returns how many.
  boost::asio::awaitable<int> reclass_overdue(int batch);
  boost::asio::awaitable<int> fold_overdue(int batch);

  boost::asio::awaitable<Report> summary(const Actor& actor, const ReportQuery& query);
  boost::asio::awaitable<std::pair<ReportScope, std::vector<TrendPoint>>> trend(const Actor& actor,
                                                                                const ReportQuery& query,
                                                                                const std::string& interval);
  boost::asio::awaitable<DrillPage> drill(const Actor& actor, const ReportQuery& query, const std::string& measure,
                                          std::optional<std::string> after, int limit);

 private:
  boost::asio::awaitable<ReportScope> scope_of(const Actor& actor, const std::optional<std::string>& unit_code);

  pg::Pool& pool_;
  pg::ReadPool& reads_;
  Clock clock_;
};

}  // namespace petitiond::store
