#include "server/store/units.hpp"

#include <map>
#include <set>

#include "server/store/constraint_errors.hpp"

namespace petitiond::store {
namespace {

#define UNIT_COLUMNS                                                                                   \
  "u.id, u.code, u.name, u.kind, p.code, u.path::text, nlevel(u.path), u.phone, u.calendar, u.active," \
  " (SELECT s.code FROM units s WHERE s.id = u.serves_unit_id)"
#define UNIT_TABLES " FROM units u LEFT JOIN units p ON p.id = u.parent_id"
constexpr const char* unit_select = "SELECT " UNIT_COLUMNS UNIT_TABLES;

// The unit_select columns, starting at `first`.
Unit unit_from(const pg::Result& r, int row, int first = 0) {
  Unit unit;
  unit.id = r.integer(row, first);
  unit.code = r.text(row, first + 1);
  unit.name = r.text(row, first + 2);
  unit.kind = r.text(row, first + 3);
  unit.parent_code = r.optional_text(row, first + 4);
  unit.path = r.text(row, first + 5);
  unit.depth = static_cast<int>(r.integer(row, first + 6));
  unit.phone = r.optional_text(row, first + 7);
  unit.calendar = r.optional_text(row, first + 8);
  unit.active = r.boolean(row, first + 9);
  unit.serves = r.optional_text(row, first + 10);
  return unit;
}

pg::Statement upsert(const UnitInput& unit) {
  return pg::Statement(
      "INSERT INTO units (code, name, kind, parent_id, phone, calendar, active, serves_unit_id)"
      " VALUES ($1, $2, $3, (SELECT id FROM units WHERE code = $4), $5, $6, $7, (SELECT id FROM units WHERE code = $8))"
      " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id,"
      "  phone = EXCLUDED.phone, calendar = EXCLUDED.calendar, active = EXCLUDED.active,"
      "  serves_unit_id = EXCLUDED.serves_unit_id, updated_at = now()"
      " WHERE (units.name, units.kind, units.parent_id, units.phone, units.calendar, units.active, "
      "units.serves_unit_id)"
      "  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.parent_id, EXCLUDED.phone, EXCLUDED.calendar,"
      "  EXCLUDED.active, EXCLUDED.serves_unit_id)",
      unit.code, unit.name, unit.kind, unit.parent_code, unit.phone, unit.calendar, unit.active, unit.serves);
}

}  // namespace

boost::asio::awaitable<std::vector<Unit>> UnitStore::list(std::optional<std::string> root_code, bool include_inactive) {
  auto result = co_await pool_.run_one(pg::Statement(
      std::string(unit_select) + " WHERE ($1::text IS NULL OR u.path <@ (SELECT path FROM units WHERE code = $1))"
                                 "   AND ($2 OR u.active)"
                                 " ORDER BY nlevel(u.path), u.kind, u.code",
      root_code, include_inactive));
  std::vector<Unit> units;
  for (int row = 0; row < result.rows(); ++row) units.push_back(unit_from(result, row));
  co_return units;
}

boost::asio::awaitable<std::optional<Unit>> UnitStore::find(std::string code) {
  auto result = co_await pool_.run_one(pg::Statement(std::string(unit_select) + " WHERE u.code = $1", code));
  if (result.rows() == 0) co_return std::nullopt;
  co_return unit_from(result, 0);
}

boost::asio::awaitable<std::map<std::string, Unit>> UnitStore::function_units() {
  auto result =
      co_await pool_.run_one(pg::Statement(
          "SELECT f.key, " UNIT_COLUMNS UNIT_TABLES " JOIN jsonb_each_text(coalesce((SELECT value FROM settings"
          "   WHERE key = 'routing.functions' AND jsonb_typeof(value) = 'object'), '{}')) f ON f.value = u.code"));
  std::map<std::string, Unit> units;
  for (int row = 0; row < result.rows(); ++row) units[std::string(result.text(row, 0))] = unit_from(result, row, 1);
  co_return units;
}

boost::asio::awaitable<std::map<std::string, std::string>> UnitStore::names(std::vector<std::string> codes) {
  std::map<std::string, std::string> out;
  if (codes.empty()) co_return out;
  auto result = co_await pool_.run_one(
      pg::Statement("SELECT code, name FROM units WHERE code = ANY ($1::text[])", pg::words_literal(codes)));
  for (int row = 0; row < result.rows(); ++row) out[std::string(result.text(row, 0))] = result.text(row, 1);
  co_return out;
}

boost::asio::awaitable<std::vector<std::string>> UnitStore::active_codes(std::vector<std::string> codes) {
  auto result = co_await pool_.run_one(
      pg::Statement("SELECT coalesce(array_agg(code), '{}') FROM units WHERE active AND code = ANY ($1::text[])",
                    pg::words_literal(codes)));
  co_return result.words(0, 0);
}

boost::asio::awaitable<std::map<std::string, std::vector<std::string>>> UnitStore::codes_by_calendar() {
  auto named = co_await pool_.run_one(pg::Statement(
      "SELECT calendar, array_agg(code ORDER BY path) FROM units WHERE calendar IS NOT NULL GROUP BY calendar"));
  std::map<std::string, std::vector<std::string>> units;
  for (int row = 0; row < named.rows(); ++row) units[std::string(named.text(row, 0))] = named.words(row, 1);
  co_return units;
}

boost::asio::awaitable<Unit> UnitStore::create(UnitInput input, AuditEvent audit) {
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(
      {"INSERT INTO units (code, name, kind, parent_id, phone, calendar, active, serves_unit_id)"
       " SELECT $1, $2, $3, (SELECT id FROM units WHERE code = $4), $5, $6, $7,"
       "  (SELECT id FROM units WHERE code = $8)"
       " WHERE ($4::text IS NULL OR EXISTS (SELECT 1 FROM units WHERE code = $4))"
       "  AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM units WHERE code = $8)) RETURNING 1",
       input.code, input.name, input.kind, input.parent_code, input.phone, input.calendar, input.active, input.serves},
      "no unit has the parent code (or the code it serves)"));
  statements.push_back(audit_insert(audit));
  statements.emplace_back(std::string(unit_select) + " WHERE u.code = $1", input.code);
  std::vector<pg::Result> results;
  try {
    results = co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) throw Error(Errc::invalid_field, e.message(), "parent");
    rethrow_constraint(e, e.is(pg::sqlstate::unique_violation) ? "code" : "parent");
  }
  co_return unit_from(results[2], 0);
}

boost::asio::awaitable<Unit> UnitStore::update(std::string code, UnitChange change, AuditEvent audit) {
  const bool phone_set = change.phone.has_value(), calendar_set = change.calendar.has_value();
  std::vector<pg::Statement> statements;
  statements.push_back(require_change(
      {"UPDATE units SET name = coalesce($2, name),"
       "  parent_id = CASE WHEN $3::text IS NULL THEN parent_id ELSE (SELECT id FROM units WHERE code = $3) END,"
       "  phone = CASE WHEN $4 THEN $5 ELSE phone END,"
       "  calendar = CASE WHEN $6 THEN $7 ELSE calendar END,"
       "  active = coalesce($8, active), updated_at = now()"
       " WHERE code = $1 AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM units WHERE code = $3)) RETURNING 1",
       code, change.name, change.parent_code, phone_set, phone_set ? *change.phone : std::nullopt, calendar_set,
       calendar_set ? *change.calendar : std::nullopt, change.active},
      "no such unit"));
  statements.push_back(audit_insert(audit));
  statements.emplace_back(std::string(unit_select) + " WHERE u.code = $1", code);
  std::vector<pg::Result> results;
  bool not_found = false;
  try {
    results = co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    if (e.errc() != Errc::not_found)
      rethrow_constraint(e, change.parent_code ? "parent" : change.active ? "active" : "name");
    not_found = true;
  }
  // Nothing changed: the unit is unknown, or the new parent is.
  if (not_found) {
    if (change.parent_code && co_await find(code))
      throw Error(Errc::invalid_field, "no unit has the parent code", "parent");
    throw Error(Errc::not_found, "no such unit");
  }
  co_return unit_from(results[2], 0);
}

boost::asio::awaitable<std::size_t> UnitStore::import(std::vector<UnitInput> units, AuditEvent audit) {
  auto existing = co_await list(std::nullopt, true);
  std::vector<std::string> codes;
  for (const auto& unit : existing) codes.push_back(unit.code);
  auto ordered = parents_first(std::move(units), codes);
  std::vector<pg::Statement> statements;
  for (const auto& unit : ordered) statements.push_back(upsert(unit));
  audit.details["units"] = ordered.size();
  statements.push_back(audit_insert(audit));
  std::vector<pg::Result> results;
  try {
    results = co_await pool_.run(std::move(statements));
  } catch (const pg::QueryError& e) {
    rethrow_constraint(e, "units");
  }
  std::size_t written = 0;
  for (size_t i = 0; i + 1 < results.size(); ++i) written += static_cast<std::size_t>(results[i].affected());
  co_return written;
}

std::vector<UnitInput> parents_first(std::vector<UnitInput> units, const std::vector<std::string>& existing_codes) {
  std::map<std::string, const UnitInput*> by_code;
  for (const auto& unit : units) {
    if (!by_code.emplace(unit.code, &unit).second)
      throw Error(Errc::invalid_field, "unit code " + unit.code + " appears twice", "code");
  }
  std::set<std::string> existing(existing_codes.begin(), existing_codes.end());
  std::vector<UnitInput> ordered;
  std::set<std::string> placed, visiting;
  // Depth-first: place a unit's parent (if it is in the list) before the unit itself.
  auto place = [&](const UnitInput& unit, auto& self) -> void {
    if (placed.count(unit.code)) return;
    if (!visiting.insert(unit.code).second)
      throw Error(Errc::invalid_field, "unit " + unit.code + " is its own ancestor", "parent");
    if (unit.parent_code) {
      auto parent = by_code.find(*unit.parent_code);
      if (parent != by_code.end()) self(*parent->second, self);
      else if (!existing.count(*unit.parent_code))
        throw Error(Errc::invalid_field, "unit " + unit.code + " names an unknown parent " + *unit.parent_code,
                    "parent");
    }
    visiting.erase(unit.code);
    placed.insert(unit.code);
    ordered.push_back(unit);
  };
  for (const auto& unit : units) place(unit, place);
  return ordered;
}

}  // namespace petitiond::store
