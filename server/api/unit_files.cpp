#include "server/api/unit_files.hpp"

#include <yaml-cpp/yaml.h>

#include <map>

#include "core/error.hpp"
#include "workflow/identity.hpp"

namespace petitiond::api {
namespace {

// serves: the area unit a department's local office serves (a town's legal-aid station), for routing by place.
const std::vector<std::string> columns{"code", "name", "kind", "parent", "phone", "calendar", "active", "serves"};

std::optional<std::string> non_empty(std::string value) {
  if (value.empty()) return std::nullopt;
  return value;
}

// Builds one unit from named values, checking what the database would refuse with a vaguer message.
store::UnitInput unit_from(const std::map<std::string, std::string>& values, const std::string& where) {
  auto get = [&](const std::string& key) {
    auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  };
  store::UnitInput unit;
  unit.code = get("code");
  unit.name = get("name");
  if (auto problem = unit_code_problem(unit.code); !problem.empty())
    throw Error(Errc::invalid_field, where + ": code " + problem, "code");
  if (unit.name.empty()) throw Error(Errc::invalid_field, where + ": name is required", "name");
  unit.kind = get("kind").empty() ? "area" : get("kind");
  if (unit.kind != "area" && unit.kind != "department")
    throw Error(Errc::invalid_field, where + ": kind must be area or department", "kind");
  unit.parent_code = non_empty(get("parent"));
  unit.phone = non_empty(get("phone"));
  unit.calendar = non_empty(get("calendar"));
  unit.serves = non_empty(get("serves"));
  auto active = get("active");
  if (active.empty() || active == "true") unit.active = true;
  else if (active == "false") unit.active = false;
  else throw Error(Errc::invalid_field, where + ": active must be true or false", "active");
  return unit;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a BOM, as spreadsheet programs write
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw Error(Errc::invalid_field, "the CSV ends inside a quoted field", "file");
  if (field_started || !row.empty()) end_row();
  return rows;
}

std::vector<store::UnitInput> parse_units_csv(std::string_view text) {
  auto rows = parse_csv(text);
  if (rows.empty()) throw Error(Errc::invalid_field, "the CSV file is empty", "file");
  const auto& header = rows.front();
  for (const auto& name : header)
    if (std::find(columns.begin(), columns.end(), name) == columns.end())
      throw Error(Errc::invalid_field, "line 1: unknown column '" + name + "'", "file");
  std::vector<store::UnitInput> units;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto where = "line " + std::to_string(r + 1);
    if (rows[r].size() != header.size())
      throw Error(Errc::invalid_field, where + ": expected " + std::to_string(header.size()) + " fields", "file");
    std::map<std::string, std::string> values;
    for (size_t c = 0; c < header.size(); ++c) values[header[c]] = rows[r][c];
    units.push_back(unit_from(values, where));
  }
  return units;
}

std::vector<store::UnitInput> parse_units_yaml(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw Error(Errc::invalid_field, "not valid YAML: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")",
                "file");
  }
  if (!root.IsMap() || !root["units"] || !root["units"].IsSequence())
    throw Error(Errc::invalid_field, "expected a list under 'units:'", "file");
  std::vector<store::UnitInput> units;
  for (const auto& entry : root["units"]) {
    const auto where = "entry at line " + std::to_string(entry.Mark().line + 1);
    if (!entry.IsMap()) throw Error(Errc::invalid_field, where + ": each unit must be a mapping", "file");
    std::map<std::string, std::string> values;
    for (const auto& field : entry) {
      auto key = field.first.as<std::string>();
      if (std::find(columns.begin(), columns.end(), key) == columns.end())
        throw Error(Errc::invalid_field, where + ": unknown field '" + key + "'", "file");
      if (!field.second.IsScalar())
        throw Error(Errc::invalid_field, where + ": " + key + " must be a single value", key);
      values[key] = field.second.as<std::string>();
    }
    units.push_back(unit_from(values, where));
  }
  return units;
}

std::string units_to_yaml(const std::vector<store::Unit>& units) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "units" << YAML::Value << YAML::BeginSeq;
  for (const auto& unit : units) {
    out << YAML::BeginMap << YAML::Key << "code" << YAML::Value << unit.code << YAML::Key << "name" << YAML::Value
        << unit.name << YAML::Key << "kind" << YAML::Value << unit.kind;
    if (unit.parent_code) out << YAML::Key << "parent" << YAML::Value << *unit.parent_code;
    if (unit.phone) out << YAML::Key << "phone" << YAML::Value << YAML::DoubleQuoted << *unit.phone;
    if (unit.calendar) out << YAML::Key << "calendar" << YAML::Value << *unit.calendar;
    if (unit.serves) out << YAML::Key << "serves" << YAML::Value << *unit.serves;
    if (!unit.active) out << YAML::Key << "active" << YAML::Value << false;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string units_to_csv(const std::vector<store::Unit>& units) {
  std::string out = "code,name,kind,parent,phone,calendar,active,serves\n";
  for (const auto& unit : units) {
    out += csv_field(unit.code) + "," + csv_field(unit.name) + "," + unit.kind + "," +
           csv_field(unit.parent_code.value_or("")) + "," + csv_field(unit.phone.value_or("")) + "," +
           csv_field(unit.calendar.value_or("")) + "," + (unit.active ? "true" : "false") + "," +
           csv_field(unit.serves.value_or("")) + "\n";
  }
  return out;
}

}  // namespace petitiond::api
