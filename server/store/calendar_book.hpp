#pragma once
// The working calendars in force: those of the calendar files, with each year an admin has set in the app
// (calendar_years) in place of what the files give for that year. The set is replaced whole when a year
// changes; a reader takes the current one and keeps it for what it is doing, so it never sees half a
// change. A change NOTIFYs calendar_channel, and every process reloads.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/error.hpp"
#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"
#include "workflow/registry.hpp"

namespace petitiond::store {

inline constexpr const char* calendar_channel = "petitiond_calendars";

struct EditedYear {
  std::string calendar;
  int year = 0;
  std::string changed_at, changed_by;
  bool recomputed = false;                  // the running deadlines follow this revision
  std::optional<int> recomputed_petitions;  // how many deadlines that moved
};

// The calendar set with the revision of the edited years it was loaded at (0: none edited).
struct CalendarsInForce : workflow::CalendarSet {
  std::int64_t revision = 0;
};

// The first statement of a transaction that writes deadlines computed on `calendars`: it fails (with
// calendars_changed()) when an admin has changed a calendar since they were loaded, and a calendar change
// waits for the transactions it let through (schemas/functions/calendars_unchanged_since.sql).
pg::Statement calendars_unchanged(const CalendarsInForce& calendars);
bool calendars_changed(const pg::QueryError& e);

class CalendarBook {
 public:
  // Reads the edited years once, blocking: before the server answers its first request.
  CalendarBook(pg::Pool& pool, workflow::CalendarSet from_files);

  std::shared_ptr<const CalendarsInForce> current() const;
  boost::asio::awaitable<void> reload();
  boost::asio::awaitable<std::vector<EditedYear>> edited_years();
  // How many petitions' deadlines the change of `revision` to the year moved, once they are recomputed.
  boost::asio::awaitable<std::optional<int>> recomputed_petitions(std::string calendar, int year,
                                                                  std::int64_t revision);
  // Sets a year of `calendar` (one the files define) with the change's audit row, in one transaction,
  // then reloads and tells every other process. Returns the year's new revision.
  boost::asio::awaitable<std::int64_t> set_year(const std::string& calendar, const workflow::CalendarYear& year,
                                                const std::string& changed_by, workflow::Instant now, AuditEvent audit);

 private:
  void install(const pg::Result& years);

  pg::Pool& pool_;
  const workflow::CalendarSet from_files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const CalendarsInForce> current_;
};

}  // namespace petitiond::store
