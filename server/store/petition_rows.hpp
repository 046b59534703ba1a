#pragma once
// The SQL shared by the petition store's reads and writes: the full petition select, and reading its
// rows back into Petition values.
#include <string>

#include "server/pg/result.hpp"
#include "server/pg/statement.hpp"
#include "server/store/petitions.hpp"

namespace petitiond::store {

// Binds `value` as the statement's next parameter and returns its placeholder ("$3").
template <typename T>
std::string param(pg::Statement& statement, T&& value) {
  statement.bind(std::forward<T>(value));
  return "$" + std::to_string(statement.params.size());
}

// SELECT … FROM petitions p JOIN … (aliases p, pr, iu, ru) with every column petition_from() reads;
// `now` is a placeholder for the current time (deadline status).
std::string petition_select(const std::string& now);

Petition petition_from(const pg::Result& result, int row);

// List summaries of the petitions `p` of `from`: a table, or a subquery that has already filtered,
// ordered and limited them, so that petitioners and units are joined for one page only. Columns 0–21 are
// summary_from()'s; `extra_columns` (", x, y") follow them.
std::string summary_select(const std::string& now, const std::string& from = "petitions",
                           const std::string& extra_columns = "");
PetitionSummary summary_from(const pg::Result& result, int row);

// The calendar names of the unit at `path` (an ltree SQL expression) and its ancestors, nearest first.
std::string calendar_chain(const std::string& path);

// The workflow clocks of a petition as the JSON rows petition_clocks is written from, and read back.
std::string clocks_json(const workflow::PetitionState& state, const workflow::Definition& definition,
                        const workflow::Calendar& calendar);
std::vector<workflow::ClockRecord> clocks_from_json(std::string_view json);

std::int64_t epoch(workflow::Instant instant);
std::optional<std::int64_t> optional_epoch(const std::optional<workflow::Instant>& instant);
// A column of seconds since the epoch (extract(epoch FROM …)::bigint), or NULL.
std::optional<workflow::Instant> optional_instant(const pg::Result& result, int row, int column);

// Replaces the petition's unfired escalation points with those of its running clocks now, for a
// responsible unit at `level` (1 = district); points already fired stay fired. A new petition has none
// to replace (`replace` false).
std::vector<pg::Statement> escalation_statements(std::int64_t petition_id, const workflow::PetitionState& state,
                                                 const workflow::Definition& definition,
                                                 const workflow::Calendar& calendar, int level, bool replace);

// Who a timeline event is by: a user, or the system (no id).
struct Author {
  std::optional<std::int64_t> id;
  std::string name;
};

pg::Statement event_insert(std::int64_t petition_id, const Author& author, workflow::Instant at, std::string action,
                           std::optional<std::string> from, std::optional<std::string> to, std::string fields);
// Writes the petition's clocks (clocks_json's rows): new ones, and the changes to those it has.
pg::Statement clocks_upsert(std::int64_t petition_id, std::string clocks);

// Counts a hit of a public endpoint against the `portal.rate_limit` setting's `limit_field` (submissions,
// lookups; `fallback` when unset) per its `per_minutes`; fails the pipeline with rate_limited past it.
pg::Statement take_rate_token(const std::string& limit_field, int fallback, std::string counter_key);

}  // namespace petitiond::store
