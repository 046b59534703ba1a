#include "server/store/hotline_report.hpp"

#include "core/error.hpp"
#include "server/store/petition_rows.hpp"

namespace petitiond::store {

namespace {

// Local time (China Standard Time, as iso_local) of a call's start.
constexpr const char* local_start = "(c.started_at AT TIME ZONE 'UTC' + interval '8 hours')";

std::string group_key(const std::string& group_by) {
  if (group_by == "hour") return std::string("to_char(") + local_start + ", 'HH24')";
  if (group_by == "month") return std::string("to_char(") + local_start + ", 'YYYY-MM')";
  if (group_by == "operator") return "coalesce(c.answered_by::text, '')";
  if (group_by == "day") return std::string("to_char(") + local_start + ", 'YYYY-MM-DD')";
  throw Error(Errc::invalid_field, "must be hour, day, month or operator", "group_by");
}

// The condition of each measure over calls `c`; $3 is the minutes within which a callback is in time.
std::string measure_condition(const std::string& measure) {
  if (measure == "offered") return "true";
  if (measure == "answered") return "c.answered_at IS NOT NULL AND NOT c.voicemail";
  if (measure == "abandoned") return "c.missed";
  if (measure == "returned_in_time")
    return "c.missed AND c.called_back_at <= c.ended_at + make_interval(mins => $3::int)";
  if (measure == "returned_late") return "c.missed AND c.called_back_at > c.ended_at + make_interval(mins => $3::int)";
  if (measure == "not_returned") return "c.missed AND c.called_back_at IS NULL";
  throw Error(Errc::invalid_field, "is not a hotline figure", "measure");
}

constexpr const char* offered_calls =
    " FROM calls c LEFT JOIN users u ON u.id = c.answered_by"
    " WHERE c.direction = 'in' AND NOT c.rejected AND c.started_at >= to_timestamp($1) AND c.started_at < "
    "to_timestamp($2)";

std::optional<double> optional_number(const pg::Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return std::stod(std::string(r.text(row, column)));
}

}  // namespace

const std::vector<std::string>& hotline_measures() {
  static const std::vector<std::string> measures{"offered",          "answered",      "abandoned",
                                                 "returned_in_time", "returned_late", "not_returned"};
  return measures;
}

boost::asio::awaitable<HotlineReport> HotlineReportStore::figures(HotlineQuery query) {
  const auto key = group_key(query.group_by);
  auto count = [](const std::string& measure) { return "count(*) FILTER (WHERE " + measure_condition(measure) + ")"; };
  pg::Statement statement(
      "SELECT GROUPING(" + key + ") = 1, " + key + ", max(coalesce(u.display_name, '')), count(*), " +
          count("answered") + ", " + count("abandoned") +
          ", avg(extract(epoch FROM c.ended_at - c.started_at)) FILTER (WHERE c.missed AND c.answered_at IS NULL)"
          ", avg(extract(epoch FROM c.answered_at - c.started_at)) FILTER (WHERE c.answered_at IS NOT NULL AND NOT "
          "c.voicemail)"
          ", avg(extract(epoch FROM c.ended_at - c.answered_at)) FILTER (WHERE c.answered_at IS NOT NULL AND NOT "
          "c.voicemail AND c.ended_at IS NOT NULL), " +
          count("returned_in_time") + ", " + count("returned_late") + ", " + count("not_returned") + offered_calls +
          " GROUP BY GROUPING SETS ((" + key + "), ()) ORDER BY 1, 2",
      epoch(query.from), epoch(query.until), query.within_minutes);
  auto result = co_await pool_.run_one(std::move(statement));
  HotlineReport report;
  for (int row = 0; row < result.rows(); ++row) {
    HotlineFigures f;
    const bool total = result.boolean(row, 0);
    if (!total) {
      f.key = result.text(row, 1);
      f.label = query.group_by == "operator" ? std::string(result.text(row, 2)) : f.key;
    }
    f.offered = result.integer(row, 3);
    f.answered = result.integer(row, 4);
    f.abandoned = result.integer(row, 5);
    f.abandoned_wait_seconds = optional_number(result, row, 6);
    f.wait_seconds = optional_number(result, row, 7);
    f.talk_seconds = optional_number(result, row, 8);
    f.returned_in_time = result.integer(row, 9);
    f.returned_late = result.integer(row, 10);
    f.not_returned = result.integer(row, 11);
    if (total) report.total = std::move(f);
    else report.rows.push_back(std::move(f));
  }
  co_return report;
}

boost::asio::awaitable<std::vector<HotlineCall>> HotlineReportStore::calls(HotlineQuery query, std::string measure,
                                                                           std::optional<std::string> key, int limit) {
  const auto condition = measure_condition(measure);
  pg::Statement statement(
      "SELECT c.call_id, c.from_key, iso_local(c.started_at), iso_local(c.answered_at), iso_local(c.ended_at),"
      " c.cause, u.display_name, iso_local(c.called_back_at),"
      " extract(epoch FROM coalesce(c.answered_at, c.ended_at) - c.started_at)::bigint,"
      " extract(epoch FROM c.ended_at - c.answered_at)::bigint, c.missed" +
          std::string(offered_calls) + " AND " + condition + " AND $3::int IS NOT NULL AND ($4::text IS NULL OR " +
          group_key(query.group_by) + " = $4) ORDER BY c.started_at, c.id LIMIT $5",
      epoch(query.from), epoch(query.until), query.within_minutes, key, limit);
  auto result = co_await pool_.run_one(std::move(statement));
  std::vector<HotlineCall> calls;
  for (int row = 0; row < result.rows(); ++row) {
    HotlineCall call;
    call.call_id = result.text(row, 0);
    call.from_key = result.optional_text(row, 1);
    call.started_at = result.text(row, 2);
    call.answered_at = result.optional_text(row, 3);
    call.ended_at = result.optional_text(row, 4);
    call.cause = result.optional_text(row, 5);
    call.operator_name = result.optional_text(row, 6);
    call.called_back_at = result.optional_text(row, 7);
    if (!result.is_null(row, 8)) call.wait_seconds = result.integer(row, 8);
    if (!result.is_null(row, 9)) call.talk_seconds = result.integer(row, 9);
    call.missed = result.boolean(row, 10);
    calls.push_back(std::move(call));
  }
  co_return calls;
}

}  // namespace petitiond::store
