#include "server/store/calendar_book.hpp"

#include "server/logging/log.hpp"
#include "server/pg/blocking_connection.hpp"

namespace petitiond::store {
using boost::asio::awaitable;

namespace {

const char* const years_query =
    "SELECT calendar, year, rest_days::text[], working_days::text[], max(revision) OVER () FROM calendar_years"
    " ORDER BY calendar, year";
const char* const change_lock = "SELECT pg_advisory_xact_lock(hashtext('calendar_years'))";

std::set<workflow::Date> dates(const std::vector<std::string>& texts) {
  std::set<workflow::Date> out;
  for (const auto& text : texts)
    if (auto date = workflow::parse_date(text)) out.insert(*date);
  return out;
}

std::vector<std::string> date_texts(const std::set<workflow::Date>& days) {
  std::vector<std::string> out;
  for (auto day : days) out.push_back(workflow::format_date(day));
  return out;
}

}  // namespace

pg::Statement calendars_unchanged(const CalendarsInForce& calendars) {
  return pg::Statement("SELECT calendars_unchanged_since($1)", calendars.revision);
}

bool calendars_changed(const pg::QueryError& e) { return e.is(pg::sqlstate::calendars_changed); }

CalendarBook::CalendarBook(pg::Pool& pool, workflow::CalendarSet from_files)
    : pool_(pool), from_files_(std::move(from_files)) {
  pg::BlockingConnection db(pool.options().connect.url);
  install(db.exec(years_query));
}

std::shared_ptr<const CalendarsInForce> CalendarBook::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void CalendarBook::install(const pg::Result& years) {
  auto set = std::make_shared<CalendarsInForce>();
  static_cast<workflow::CalendarSet&>(*set) = from_files_;
  if (years.rows() > 0) set->revision = years.integer(0, 4);
  for (int row = 0; row < years.rows(); ++row) {
    const std::string name(years.text(row, 0));
    if (!set->contains(name)) {
      spdlog::warn("calendar {}: a year is set in the app, but no calendar file defines it any more", name);
      continue;
    }
    set->add(set->all().at(name).with_year(static_cast<int>(years.integer(row, 1)), dates(years.words(row, 2)),
                                           dates(years.words(row, 3))));
  }
  set->inherit_from_default();
  const auto today = workflow::local_date(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  for (const auto& warning : set->warnings(today)) spdlog::warn("{}", warning);
  std::lock_guard lock(mutex_);
  current_ = std::move(set);
}

awaitable<void> CalendarBook::reload() { install(co_await pool_.run_one(pg::Statement(years_query))); }

awaitable<std::optional<int>> CalendarBook::recomputed_petitions(std::string calendar, int year,
                                                                 std::int64_t revision) {
  auto done = co_await pool_.run_one(pg::Statement(
      "SELECT recomputed_petitions FROM calendar_years WHERE calendar = $1 AND year = $2 AND recomputed_revision >= $3",
      calendar, year, revision));
  if (done.rows() == 0) co_return std::nullopt;
  co_return static_cast<int>(done.integer(0, 0));
}

awaitable<std::vector<EditedYear>> CalendarBook::edited_years() {
  auto rows = co_await pool_.run_one(pg::Statement(
      "SELECT calendar, year, iso_local(changed_at), changed_by, recomputed_revision IS NOT DISTINCT FROM revision,"
      " recomputed_petitions FROM calendar_years ORDER BY calendar, year"));
  std::vector<EditedYear> years;
  for (int row = 0; row < rows.rows(); ++row) {
    EditedYear year{std::string(rows.text(row, 0)), static_cast<int>(rows.integer(row, 1)),
                    std::string(rows.text(row, 2)), std::string(rows.text(row, 3)),
                    rows.boolean(row, 4),           std::nullopt};
    if (year.recomputed && !rows.is_null(row, 5)) year.recomputed_petitions = static_cast<int>(rows.integer(row, 5));
    years.push_back(std::move(year));
  }
  co_return years;
}

awaitable<std::int64_t> CalendarBook::set_year(const std::string& calendar, const workflow::CalendarYear& year,
                                               const std::string& changed_by, workflow::Instant now, AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.emplace_back(change_lock);  // after the writes that computed on the calendars this replaces
  statements.emplace_back(
      "INSERT INTO calendar_years (calendar, year, rest_days, working_days, changed_at, changed_by)"
      " VALUES ($1, $2, $3::date[], $4::date[], to_timestamp($5), $6)"
      " ON CONFLICT (calendar, year) DO UPDATE SET rest_days = excluded.rest_days, working_days = "
      "excluded.working_days,"
      "  revision = nextval('calendar_revisions'), changed_at = excluded.changed_at, changed_by = excluded.changed_by,"
      "  recompute_lease_until = NULL"
      " RETURNING revision",
      calendar, year.year, pg::words_literal(date_texts(year.rest_days)),
      pg::words_literal(date_texts(year.working_days)), static_cast<std::int64_t>(now.time_since_epoch().count()),
      changed_by);
  statements.push_back(audit_insert(audit));
  statements.emplace_back(std::string("SELECT pg_notify('") + calendar_channel + "', $1)", calendar);
  auto results = co_await pool_.run(std::move(statements));
  co_await reload();
  co_return results[1].integer(0, 0);
}

}  // namespace petitiond::store
