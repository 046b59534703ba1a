// Running deadlines recomputed after a working calendar year is set in the app (CalendarBook::set_year):
// a rest day added pushes deadlines back, a make-up working day brings them forward, and escalation
// points move with them. Points already fired stay fired.
#include <boost/json/serialize.hpp>

#include "server/logging/log.hpp"
#include "server/pg/error.hpp"
#include "server/store/audit.hpp"
#include "server/store/petition_rows.hpp"
#include "server/store/petitions.hpp"
#include "core/error.hpp"

namespace petitiond::store {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr const char* system_name = "系统";  // as fire_escalations() writes its timeline entries

std::optional<std::string> local_text(std::optional<workflow::Instant> instant) {
  if (!instant) return std::nullopt;
  return workflow::format_local(*instant);
}

}  // namespace

awaitable<std::optional<int>> PetitionStore::recompute_deadlines() {
  for (;;) {
    // Every year changed since its deadlines were last recomputed, unless another process is at it.
    auto claimed = co_await pool_.run_one(
        pg::Statement("UPDATE calendar_years SET recompute_lease_until = now() + interval '10 minutes'"
                      " WHERE recomputed_revision IS DISTINCT FROM revision"
                      "  AND (recompute_lease_until IS NULL OR recompute_lease_until < now())"
                      " RETURNING calendar, year, revision"));
    if (claimed.rows() == 0) co_return std::nullopt;
    co_await calendars_.reload();
    const auto calendars = calendars_.current();
    std::set<std::string> changed;
    int first_year = 9999;
    for (int row = 0; row < claimed.rows(); ++row) {
      changed.emplace(claimed.text(row, 0));
      first_year = std::min(first_year, static_cast<int>(claimed.integer(row, 1)));
    }
    using namespace std::chrono;
    const auto from = workflow::start_of(sys_days{year{first_year} / January / 1});
    // A deadline or an escalation point on or after the first day changed; points past the deadline (listed
    // for criticism after 5 working days, say) count working days too.
    auto found = co_await pool_.run_one(pg::Statement(
        "SELECT id FROM petitions WHERE due_at >= to_timestamp($1)"
        " UNION SELECT petition_id FROM escalation_points WHERE fired_at IS NULL AND due_at >= to_timestamp($1)"
        " ORDER BY 1",
        epoch(from)));
    int moved = 0;
    bool superseded = false;
    try {
      for (int row = 0; row < found.rows(); ++row)
        if (co_await recompute_deadline(found.integer(row, 0), *calendars, changed)) ++moved;
    } catch (const pg::QueryError& e) {
      if (!calendars_changed(e)) throw;
      superseded = true;
    }
    if (superseded) {
      // Another change came while this ran: give the years back and start again on the newest calendars.
      for (int row = 0; row < claimed.rows(); ++row)
        co_await pool_.run_one(
            pg::Statement("UPDATE calendar_years SET recompute_lease_until = NULL WHERE calendar = $1 AND year = $2",
                          std::string(claimed.text(row, 0)), claimed.integer(row, 1)));
      continue;
    }
    for (int row = 0; row < claimed.rows(); ++row)
      co_await pool_.run_one(pg::Statement(
          "UPDATE calendar_years SET recomputed_revision = $3, recomputed_petitions = $4, recompute_lease_until = NULL"
          " WHERE calendar = $1 AND year = $2 AND revision = $3",
          std::string(claimed.text(row, 0)), claimed.integer(row, 1), claimed.integer(row, 2), moved));
    spdlog::info("working calendar changed: {} of {} running deadlines recomputed moved", moved, found.rows());
    co_return moved;
  }
}

awaitable<int> PetitionStore::recompute_subtree(std::string unit_code) {
  auto found = co_await pool_.run_one(pg::Statement(
      "SELECT p.id FROM petitions p WHERE p.due_at IS NOT NULL AND coalesce(p.responsible_unit_id, p.intake_unit_id)"
      " IN (SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE code = $1)) ORDER BY p.id",
      std::move(unit_code)));
  co_await calendars_.reload();
  const auto calendars = calendars_.current();
  const auto names = calendars->names();
  const std::set<std::string> any(names.begin(), names.end());
  int moved = 0;
  for (int row = 0; row < found.rows(); ++row)
    if (co_await recompute_deadline(found.integer(row, 0), *calendars, any)) ++moved;
  co_return moved;
}

awaitable<bool> PetitionStore::recompute_deadline(std::int64_t id, const CalendarsInForce& calendars,
                                                  const std::set<std::string>& changed) {
  for (int attempt = 1;; ++attempt) {
    const auto now = clock_();
    pg::Statement load("", epoch(now), id);
    load.sql = petition_select("to_timestamp($1)") + " WHERE p.id = $2";
    auto loaded = co_await pool_.run_one(std::move(load));
    if (loaded.rows() == 0) co_return false;
    const auto petition = petition_from(loaded, 0);
    const auto& calendar = calendars.resolve(petition.calendar_chain);
    if (!changed.count(calendar.name())) co_return false;
    const auto& definition = definition_of(petition);
    const auto& state = petition.workflow_state;
    const auto obligation = workflow::next_obligation(state, definition, calendar);
    const bool moved = obligation.due != petition.due;
    const int level = petition.responsible_unit ? petition.responsible_unit->depth : petition.intake_unit.depth;

    std::vector<pg::Statement> writes{calendars_unchanged(calendars)};  // a newer change waits, or this fails
    for (auto& statement : escalation_statements(id, state, definition, calendar, level, true))
      writes.push_back(std::move(statement));
    // A deadline that moved changes the petition as its readers see it: a new version.
    writes.push_back(require_change(
        {"UPDATE petitions SET due_at = to_timestamp($3), warn_at = to_timestamp($4), version = version + $5"
         " WHERE id = $1 AND version = $2 RETURNING 1",
         id, petition.version, optional_epoch(obligation.due), optional_epoch(obligation.warn), moved ? 1 : 0},
        "the petition changed while its deadline was recomputed"));
    writes.push_back(clocks_upsert(id, clocks_json(state, definition, calendar)));
    if (moved) {
      json::object fields{{"calendar", calendar.name()}};
      if (auto before = local_text(petition.due)) fields["due_before"] = *before;
      if (auto after = local_text(obligation.due)) fields["due_at"] = *after;
      writes.push_back(event_insert(id, Author{std::nullopt, system_name}, now, "deadline_recomputed", std::nullopt,
                                    std::nullopt, json::serialize(fields)));
    }
    try {
      co_await pool_.run(std::move(writes));
      co_return moved;
    } catch (const pg::QueryError& e) {
      if (e.errc() != Errc::not_found || attempt == 3) throw;  // changed meanwhile: read it again
    }
  }
}

}  // namespace petitiond::store
