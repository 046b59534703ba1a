#pragma once
// The organisation tree as a file: YAML (a list under `units:`) or CSV with a header row. Both are flat,
// one unit per entry naming its parent's code:
//   code, name, kind (area|department, default area), parent, phone, calendar, active (default true)
#include <string>
#include <string_view>
#include <vector>

#include "server/store/units.hpp"

namespace petitiond::api {

// Throw Error(invalid_field) naming the line (CSV) or entry (YAML) and the field at fault.
std::vector<store::UnitInput> parse_units_yaml(std::string_view text);
std::vector<store::UnitInput> parse_units_csv(std::string_view text);

std::string units_to_yaml(const std::vector<store::Unit>& units);
std::string units_to_csv(const std::vector<store::Unit>& units);

// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into rows of fields.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

}  // namespace petitiond::api
