#pragma once
// The organisation tree. Every authenticated user may read it (it holds no personal data); changes
// are an admin's and are audited in the same transaction.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/store/audit.hpp"

namespace petitiond::store {

struct Unit {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::string kind;  // "area" or "department"
  std::optional<std::string> parent_code;
  std::string path;  // ids from the root, "1.7.42"
  int depth = 0;     // 1 = the root (district)
  std::optional<std::string> phone;
  std::optional<std::string> calendar;
  bool active = true;
  std::optional<std::string> serves = std::nullopt;  // the area unit this office serves (routing by place)
};

// A unit as written by create and import: every field given.
struct UnitInput {
  std::string code;
  std::string name;
  std::string kind = "area";
  std::optional<std::string> parent_code;
  std::optional<std::string> phone;
  std::optional<std::string> calendar;
  bool active = true;
  std::optional<std::string> serves = std::nullopt;  // the area unit this office serves (routing by place)
};

// A partial update: only the fields set change. Setting parent_code moves the unit with its subtree.
struct UnitChange {
  std::optional<std::string> name;
  std::optional<std::string> parent_code;
  std::optional<std::optional<std::string>> phone;
  std::optional<std::optional<std::string>> calendar;
  std::optional<bool> active;
};

class UnitStore {
 public:
  explicit UnitStore(pg::Pool& pool) : pool_(pool) {}

  // The whole tree, or the subtree under `root_code`, parents before children.
  boost::asio::awaitable<std::vector<Unit>> list(std::optional<std::string> root_code, bool include_inactive);
  boost::asio::awaitable<std::optional<Unit>> find(std::string code);
  boost::asio::awaitable<Unit> create(UnitInput input, AuditEvent audit);
  // Throws not_found for an unknown code.
  boost::asio::awaitable<Unit> update(std::string code, UnitChange change, AuditEvent audit);
  // The unit each routing function is assigned to (the routing.functions setting), by function name.
  boost::asio::awaitable<std::map<std::string, Unit>> function_units();
  // The names of those of `codes` that name units, by code.
  boost::asio::awaitable<std::map<std::string, std::string>> names(std::vector<std::string> codes);
  // Those of `codes` that name active units.
  boost::asio::awaitable<std::vector<std::string>> active_codes(std::vector<std::string> codes);
  // The codes of the units that name a working calendar of their own, by calendar, in tree order.
  boost::asio::awaitable<std::map<std::string, std::vector<std::string>>> codes_by_calendar();
  // Creates or updates every unit by code, in one transaction; returns how many were written.
  boost::asio::awaitable<std::size_t> import(std::vector<UnitInput> units, AuditEvent audit);

 private:
  pg::Pool& pool_;
};

// Orders units so every parent comes before its children; throws invalid_field on an unknown parent
// (not in the list and not in `existing_codes`) or a cycle.
std::vector<UnitInput> parents_first(std::vector<UnitInput> units, const std::vector<std::string>& existing_codes);

}  // namespace petitiond::store
