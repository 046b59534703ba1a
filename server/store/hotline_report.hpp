#pragma once
// The figures a hotline centre is judged on, from the call log: calls offered, answered, abandoned (and how
// long those callers waited), average wait and talk time, and missed calls returned within the set time; by
// hour of day, day, month or operator. Offered: inbound calls not rejected. Answered: by a person (not the
// voicemail). Abandoned: missed by Zammad's rule (calls.missed).
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/pg/read_pool.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::store {

struct HotlineFigures {
  std::string key;    // the hour "09", day "2026-12-01", month "2026-12", or operator id ("" for none)
  std::string label;  // the operator's name; else the key
  std::int64_t offered = 0, answered = 0, abandoned = 0;
  std::optional<double> abandoned_wait_seconds, wait_seconds, talk_seconds;  // averages
  std::int64_t returned_in_time = 0, returned_late = 0, not_returned = 0;
};

struct HotlineReport {
  std::vector<HotlineFigures> rows;
  HotlineFigures total;
};

struct HotlineQuery {
  workflow::Instant from, until;  // calls that started in [from, until)
  std::string group_by = "day";   // hour, day, month, operator
  int within_minutes = 120;       // a missed call returned within this counts as in time
};

// A call behind a figure (drill-down), the citizen's number masked by the caller.
struct HotlineCall {
  std::string call_id;
  std::optional<std::string> from_key;
  std::string started_at;
  std::optional<std::string> answered_at, ended_at, cause, operator_name, called_back_at;
  std::optional<std::int64_t> wait_seconds, talk_seconds;
  bool missed = false;
};

class HotlineReportStore {
 public:
  // Reads only: through a standby, when one is configured.
  explicit HotlineReportStore(pg::ReadPool& pool) : pool_(pool) {}
  boost::asio::awaitable<HotlineReport> figures(HotlineQuery query);
  // The calls counted in `measure` (offered, answered, abandoned, returned_in_time, returned_late,
  // not_returned), within the group `key` when given; oldest first.
  boost::asio::awaitable<std::vector<HotlineCall>> calls(HotlineQuery query, std::string measure,
                                                         std::optional<std::string> key, int limit);

 private:
  pg::ReadPool& pool_;
};

// The measures `calls` takes.
const std::vector<std::string>& hotline_measures();

}  // namespace petitiond::store
