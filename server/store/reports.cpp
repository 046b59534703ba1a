#include "server/store/reports.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "server/store/cursor.hpp"
#include "server/store/petition_rows.hpp"
#include "core/error.hpp"
#include "workflow/reporting.hpp"

namespace petitiond::store {
using boost::asio::awaitable;
using workflow::Date;

namespace {

double number(const pg::Result& result, int row, int column) {
  if (result.is_null(row, column)) return 0.0;
  return std::strtod(std::string(result.text(row, column)).c_str(), nullptr);
}

// The rollup columns summed over segments_join's rows, each added or subtracted by its segment's sign. As
// float8: exact for counts below 2^53, and several times faster than the numeric sum of bigint.
std::string sums_sql() {
  std::string sql;
  for (const auto& column : rollup_columns()) sql += ", coalesce(sum(r." + column + "::float8 * s.sign), 0)";
  return sql;
}

ReportTotals totals_from(const pg::Result& result, int row, int first_column) {
  ReportTotals totals;
  for (std::size_t i = 0; i < totals.values.size(); ++i)
    totals.values[i] = number(result, row, first_column + static_cast<int>(i));
  return totals;
}

// The rollup rows of [first, last]: a join with the period's segments (workflow::cover_period), each with
// its sign.
std::string segments_join(pg::Statement& statement, Date first, Date last, char coarsest) {
  std::vector<std::string> grains, froms, untils, signs;
  for (const auto& segment : workflow::cover_period(first, last, coarsest)) {
    grains.emplace_back(1, segment.grain);
    froms.push_back(workflow::format_date(segment.from));
    untils.push_back(workflow::format_date(segment.until));
    signs.push_back(std::to_string(segment.sign));
  }
  return " JOIN unnest(" + param(statement, pg::words_literal(grains)) + "::text[], " +
         param(statement, pg::words_literal(froms)) + "::date[], " + param(statement, pg::words_literal(untils)) +
         "::date[], " + param(statement, pg::words_literal(signs)) +
         "::float8[]) AS s(grain, lo, hi, sign) ON r.grain = s.grain::\"char\" AND r.period_start >= s.lo AND "
         "r.period_start < s.hi";
}

// Adds one overdue_tally row (its lateness class, how many, the earliest deadline in seconds) into `o`.
void add_overdue(OverdueNow& o, const pg::Result& result, int row, int first_column, double now) {
  const auto n = result.integer(row, first_column + 1);
  o.count += n;
  switch (result.integer(row, first_column)) {
    case 1: o.up_to_1_day += n; break;
    case 2: o.up_to_3_days += n; break;
    case 3: o.up_to_7_days += n; break;
    default: o.over_7_days += n; break;
  }
  if (!result.is_null(row, first_column + 2))
    o.longest_days = std::max(o.longest_days, (now - number(result, row, first_column + 2)) / 86400);
}

// overdue_tally's columns add_overdue() reads.
constexpr const char* overdue_columns = "o.class, o.n, extract(epoch FROM o.oldest_due)::float8";

const std::map<std::string, std::string>& dimension_fact_columns() {
  static const std::map<std::string, std::string> columns{
      {"level", "f.level"}, {"category", "f.category"}, {"channel", "f.channel"}};
  return columns;
}

std::string overdue_key(const std::string& dimension) {
  if (dimension == "level") return "unit_level(u.path, u.kind)";
  return "p." + dimension;  // category, channel
}

struct DrillFilter {
  std::string measure;    // the fact measure
  std::string condition;  // and what else the figure asks of the fact
};

std::optional<DrillFilter> drill_filter(const std::string& figure) {
  static const std::map<std::string, DrillFilter> derived{
      {"repeats", {"repeat", ""}},
      {"signed_on_time", {"signed_for", " AND f.on_time"}},
      {"signed_late", {"signed_for", " AND NOT f.on_time"}},
      {"replied_on_time", {"replied", " AND f.on_time"}},
      {"replied_late", {"replied", " AND NOT f.on_time"}},
  };
  if (auto it = derived.find(figure); it != derived.end()) return it->second;
  if (figure.size() == 4 && figure.starts_with("sat") && figure[3] >= '1' && figure[3] <= '5')
    return DrillFilter{"satisfaction", std::string(" AND f.value = ") + figure[3]};
  if (figure.size() >= 2 && figure.size() <= 3 && figure[0] == 'h' &&
      std::all_of(figure.begin() + 1, figure.end(), ::isdigit)) {
    const int bucket = std::atoi(figure.c_str() + 1);
    if (bucket < static_cast<int>(workflow::handling_time_buckets().size()))
      return DrillFilter{"replied", " AND f.bucket = " + std::to_string(bucket)};
    return std::nullopt;
  }
  static const std::vector<std::string> plain{"received",
                                              "accepted",
                                              "not_accepted",
                                              "dispatched",
                                              "signed_for",
                                              "returned",
                                              "extended",
                                              "replied",
                                              "satisfaction",
                                              "redone",
                                              "reminded",
                                              "supervised",
                                              "escalated_to_district",
                                              "escalated_to_department",
                                              "escalated_to_town",
                                              "escalated_to_village",
                                              "criticised"};
  if (std::find(plain.begin(), plain.end(), figure) != plain.end()) return DrillFilter{figure, ""};
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& rollup_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c{"received",   "repeats",    "accepted",        "not_accepted",
                               "dispatched", "signed_for", "signed_on_time",  "returned",
                               "extended",   "replied",    "replied_on_time", "handling_days"};
    for (int i = 0; i < 14; ++i) c.push_back("h" + std::to_string(i));
    for (int i = 1; i <= 5; ++i) c.push_back("sat" + std::to_string(i));
    for (const char* name : {"redone", "reminded", "supervised", "escalated_to_district", "escalated_to_department",
                             "escalated_to_town", "escalated_to_village", "criticised"})
      c.emplace_back(name);
    return c;
  }();
  return columns;
}

double ReportTotals::operator[](std::string_view column) const {
  const auto& columns = rollup_columns();
  auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) throw std::out_of_range("no rollup column " + std::string(column));
  return values[static_cast<std::size_t>(it - columns.begin())];
}

const std::vector<std::string>& drill_measures() {
  static const std::vector<std::string> measures = [] {
    std::vector<std::string> m;
    for (const auto& column : rollup_columns())
      if (column != "handling_days") m.push_back(column);
    for (const char* extra : {"signed_late", "replied_late", "satisfaction", "overdue_now"}) m.emplace_back(extra);
    return m;
  }();
  return measures;
}

ReportStore::ReportStore(pg::Pool& pool, pg::ReadPool& reads, Clock clock)
    : pool_(pool), reads_(reads), clock_(std::move(clock)) {}

awaitable<int> ReportStore::fold(int batch) {
  pg::Statement fold("SELECT fold_report_facts($1)", batch);
  auto result = co_await pool_.run_one(std::move(fold));
  co_return static_cast<int>(result.integer(0, 0));
}

awaitable<int> ReportStore::reclass_overdue(int batch) {
  pg::Statement reclass("SELECT reclass_overdue(to_timestamp($1), $2)", epoch(clock_()), batch);
  auto result = co_await pool_.run_one(std::move(reclass));
  co_return static_cast<int>(result.integer(0, 0));
}

awaitable<int> ReportStore::fold_overdue(int batch) {
  pg::Statement fold("SELECT fold_overdue_changes($1)", batch);
  auto result = co_await pool_.run_one(std::move(fold));
  co_return static_cast<int>(result.integer(0, 0));
}

awaitable<ReportScope> ReportStore::scope_of(const Actor& actor, const std::optional<std::string>& unit_code) {
  pg::Statement statement("SELECT id, code, name, path::text, unit_level(path, kind) FROM units WHERE ");
  if (unit_code) {
    statement.sql += "code = $1 AND path <@ $2::ltree";
    statement.bind(*unit_code).bind(actor.unit_path);
  } else {
    statement.sql += "id = $1";
    statement.bind(actor.unit_id);
  }
  auto result = co_await reads_.run_one(std::move(statement));
  if (result.rows() == 0) throw Error(Errc::invalid_field, "no unit with this code in your jurisdiction", "unit");
  co_return ReportScope{result.integer(0, 0), std::string(result.text(0, 1)), std::string(result.text(0, 2)),
                        std::string(result.text(0, 3)), std::string(result.text(0, 4))};
}

awaitable<Report> ReportStore::summary(const Actor& actor, const ReportQuery& query) {
  Report report;
  report.scope = co_await scope_of(actor, query.unit_code);
  const auto& scope = report.scope;
  const auto now = epoch(clock_());
  report.total.key = "";
  report.total.label = scope.name;
  report.total.level = scope.level;

  if (query.group_by == "unit") {
    pg::Statement groups(
        query.level ? "SELECT id, code, name, unit_level(path, kind) FROM units"
                      " WHERE path <@ $1::ltree AND unit_level(path, kind) = $2 ORDER BY code"
                    : "SELECT id, code, name, unit_level(path, kind) FROM units WHERE parent_id = $1 ORDER BY code");
    if (query.level) groups.bind(scope.path).bind(*query.level);
    else groups.bind(scope.id);
    auto found = co_await reads_.run_one(std::move(groups));
    std::vector<std::string> ids{std::to_string(scope.id)};
    std::map<std::int64_t, ReportRow*> by_id{{scope.id, &report.total}};
    report.rows.resize(static_cast<std::size_t>(found.rows()));
    for (int row = 0; row < found.rows(); ++row) {
      auto& r = report.rows[static_cast<std::size_t>(row)];
      r.key = found.text(row, 1);
      r.label = found.text(row, 2);
      r.level = found.text(row, 3);
      ids.emplace_back(found.text(row, 0));
      by_id[found.integer(row, 0)] = &r;
    }
    pg::Statement sums("");
    sums.sql = "SELECT r.scope_unit_id" + sums_sql() + " FROM report_rollups r" +
               segments_join(sums, query.first, query.last, 'y') +
               " WHERE r.dimension = 'all' AND r.scope_unit_id = ANY (" + param(sums, pg::words_literal(ids)) +
               "::bigint[]) GROUP BY r.scope_unit_id";
    sums.prepare = false;  // how many units and days: a plan for these, not a generic one
    // Overdue now: the tally kept per unit subtree (overdue_tally, schemas/functions/fold_overdue_changes.sql).
    pg::Statement overdue("SELECT o.scope_unit_id, " + std::string(overdue_columns) +
                              " FROM overdue_tally o WHERE o.dimension = 'all' AND o.value = ''"
                              " AND o.scope_unit_id = ANY ($1::bigint[]) AND o.n > 0",
                          pg::words_literal(ids));
    std::vector<pg::Statement> reads;
    reads.push_back(std::move(sums));
    reads.push_back(std::move(overdue));
    auto results = co_await reads_.run(std::move(reads));
    for (int row = 0; row < results[0].rows(); ++row)
      if (auto it = by_id.find(results[0].integer(row, 0)); it != by_id.end())
        it->second->totals = totals_from(results[0], row, 1);
    for (int row = 0; row < results[1].rows(); ++row)
      if (auto it = by_id.find(results[1].integer(row, 0)); it != by_id.end())
        add_overdue(it->second->overdue, results[1], row, 1, static_cast<double>(now));
    co_return report;
  }

  // By level, category or channel: the scope's own rollup rows of that dimension, and its total.
  pg::Statement sums("");
  sums.sql = "SELECT r.dimension, r.value" + sums_sql() + " FROM report_rollups r" +
             segments_join(sums, query.first, query.last, 'y') + " WHERE r.scope_unit_id = " + param(sums, scope.id) +
             " AND r.dimension IN ('all', " + param(sums, query.group_by) +
             ") GROUP BY r.dimension, r.value ORDER BY r.value";
  pg::Statement overdue(
      "SELECT o.dimension, o.value, " + std::string(overdue_columns) +
          " FROM overdue_tally o WHERE o.scope_unit_id = $1 AND o.dimension IN ('all', $2) AND o.n > 0",
      scope.id, query.group_by);
  std::vector<pg::Statement> reads;
  reads.push_back(std::move(sums));
  reads.push_back(std::move(overdue));
  auto results = co_await reads_.run(std::move(reads));
  std::map<std::string, ReportRow> rows;
  for (int row = 0; row < results[0].rows(); ++row) {
    if (results[0].text(row, 0) == "all") {
      report.total.totals = totals_from(results[0], row, 2);
      continue;
    }
    auto& r = rows[std::string(results[0].text(row, 1))];
    r.key = results[0].text(row, 1);
    r.totals = totals_from(results[0], row, 2);
  }
  for (int row = 0; row < results[1].rows(); ++row) {
    if (results[1].text(row, 0) == "all") {
      add_overdue(report.total.overdue, results[1], row, 2, static_cast<double>(now));
      continue;
    }
    auto& r = rows[std::string(results[1].text(row, 1))];
    r.key = results[1].text(row, 1);
    add_overdue(r.overdue, results[1], row, 2, static_cast<double>(now));
  }
  for (auto& [key_value, row] : rows) report.rows.push_back(std::move(row));
  co_return report;
}

awaitable<std::pair<ReportScope, std::vector<TrendPoint>>> ReportStore::trend(const Actor& actor,
                                                                              const ReportQuery& query,
                                                                              const std::string& interval) {
  auto scope = co_await scope_of(actor, query.unit_code);
  const bool weekly = interval == "week";
  pg::Statement sums("");
  const auto bucket = std::string("date_trunc('") + (weekly ? "week" : "month") + "', r.period_start)::date";
  sums.sql = "SELECT to_char(" + bucket + ", 'YYYY-MM-DD')" + sums_sql() + " FROM report_rollups r" +
             segments_join(sums, query.first, query.last, weekly ? 'd' : 'm') +
             " WHERE r.scope_unit_id = " + param(sums, scope.id) +
             " AND r.dimension = " + param(sums, query.dimension.value_or("all")) +
             " AND r.value = " + param(sums, query.value.value_or("")) + " GROUP BY 1 ORDER BY 1";
  auto result = co_await reads_.run_one(std::move(sums));
  std::map<std::string, ReportTotals> found;
  for (int row = 0; row < result.rows(); ++row) found[std::string(result.text(row, 0))] = totals_from(result, row, 1);

  // Every week or month of the period, with or without figures, so a chart's axis has no gaps.
  using namespace std::chrono;
  std::vector<TrendPoint> points;
  Date start = query.first;
  if (weekly) start -= days{(weekday{start} - Monday).count()};
  else start = sys_days{year_month_day{start}.year() / year_month_day{start}.month() / 1d};
  for (Date period = start; period <= query.last;
       period = weekly ? period + days{7} : sys_days{year_month_day{period} + months{1}}) {
    const auto key = workflow::format_date(period);
    auto it = found.find(key);
    points.push_back({key, it == found.end() ? ReportTotals{} : it->second});
  }
  co_return std::make_pair(std::move(scope), std::move(points));
}

awaitable<DrillPage> ReportStore::drill(const Actor& actor, const ReportQuery& query, const std::string& measure,
                                        std::optional<std::string> after, int limit) {
  auto scope = co_await scope_of(actor, query.unit_code);
  pg::Statement statement("");
  const auto now_sql = "to_timestamp(" + param(statement, epoch(clock_())) + ")";
  std::string inner;
  std::string order;
  std::string extra;
  if (measure == "overdue_now") {
    // Petitions past their deadline now, the longest overdue first.
    inner =
        "SELECT p.*, 0::bigint AS fact_id, p.due_at AS fact_at, NULL::float8 AS fact_value,"
        " extract(epoch FROM p.due_at)::bigint::text AS fact_key"
        " FROM petitions p JOIN units u ON u.id = coalesce(p.responsible_unit_id, p.intake_unit_id)"
        " WHERE p.due_at <= " +
        now_sql + " AND u.path <@ " + param(statement, scope.path) + "::ltree";
    if (query.dimension) inner += " AND " + overdue_key(*query.dimension) + " = " + param(statement, *query.value);
    if (after) {
      const auto cursor = parse_cursor(*after, '_');
      inner += " AND (p.due_at, p.id) > (to_timestamp(" + param(statement, cursor_integer(cursor)) + "::bigint), " +
               param(statement, cursor.id) + ")";
    }
    inner += " AND " + visible_petitions_condition(actor, statement) + " ORDER BY p.due_at, p.id";
    order = " ORDER BY p.fact_at, p.id";
    extra = ", p.id, iso_local(p.fact_at), p.fact_value, p.fact_key";
  } else {
    auto filter = drill_filter(measure);
    if (!filter) throw Error(Errc::invalid_field, "is not a figure of the reports", "measure");
    inner =
        "SELECT p.*, f.id AS fact_id, f.at AS fact_at, f.value AS fact_value, f.day::text AS fact_key, f.day AS "
        "fact_day"
        " FROM report_facts f JOIN petitions p ON p.id = f.petition_id"
        " WHERE f.measure = " +
        param(statement, filter->measure) + filter->condition +
        " AND f.day >= " + param(statement, workflow::format_date(query.first)) +
        "::date AND f.day <= " + param(statement, workflow::format_date(query.last)) + "::date AND f.unit_path <@ " +
        param(statement, scope.path) + "::ltree";
    if (query.dimension)
      inner += " AND " + dimension_fact_columns().at(*query.dimension) + " = " + param(statement, *query.value);
    if (after) {
      const auto cursor = parse_cursor(*after, '_');
      inner += " AND (f.day, f.id) < (" + param(statement, cursor_date(cursor)) + "::date, " +
               param(statement, cursor.id) + ")";
    }
    inner += " AND " + visible_petitions_condition(actor, statement) + " ORDER BY f.day DESC, f.id DESC";
    order = " ORDER BY p.fact_day DESC, p.fact_id DESC";
    extra = ", p.fact_id, iso_local(p.fact_at), p.fact_value, p.fact_key";
  }
  inner += " LIMIT " + param(statement, limit + 1);
  statement.sql = summary_select(now_sql, "(" + inner + ")", extra) + order;
  statement.prepare = false;
  auto result = co_await reads_.run_one(std::move(statement));
  DrillPage page;
  const int shown = std::min(result.rows(), limit);
  for (int row = 0; row < shown; ++row) {
    DrillItem item;
    item.petition = summary_from(result, row);
    item.fact_id = result.integer(row, 22);
    item.at = result.text(row, 23);
    if (!result.is_null(row, 24)) item.value = number(result, row, 24);
    page.items.push_back(std::move(item));
  }
  if (result.rows() > limit)
    page.next = std::string(result.text(limit - 1, 25)) + "_" +
                std::to_string(measure == "overdue_now" ? page.items.back().petition.id : page.items.back().fact_id);
  co_return page;
}

}  // namespace petitiond::store
