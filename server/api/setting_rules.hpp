#pragma once
// Every setting an admin may change through the API (`PUT /api/v1/settings/{name}`) or the command line
// (`petitiond settings set`), in one table: what each value must be, and which parts are secrets that are
// written but never shown again. Both paths check a value here, so they accept and refuse the same.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "server/store/audit.hpp"
#include "server/store/settings.hpp"
#include "server/store/units.hpp"

namespace petitiond::api {

struct SettingRule {
  std::string name;
  bool secret = false;                     // the whole value is write-only (the CTI token)
  std::vector<std::string> secret_fields;  // members of an object value that are write-only
};

const std::vector<SettingRule>& setting_rules();
// Throws Error(not_found) for a setting that cannot be changed this way.
const SettingRule& setting_rule(const std::string& name);

// A value checked and put in the stored form. `stored` is the value in force (null when unset): a secret member
// left out of an object keeps its stored value. Unit codes it names are added to `unit_codes` with their field,
// for the caller to check against the active units. Throws Error(invalid_field) naming "value" or
// "value.<member>".
struct UnitReference {
  std::string code, field;
};
boost::json::value checked_setting(const SettingRule& rule, const boost::json::value& input,
                                   const boost::json::value& stored, std::vector<UnitReference>& unit_codes);

// Checks `input` for the setting (the units it names must be active) and stores it with `audit` (the stored
// value, secrets hidden, under details.value); the API and the command line both change settings so.
boost::asio::awaitable<void> store_setting(store::SettingsStore& settings, store::UnitStore& units,
                                           const SettingRule& rule, boost::json::value input, store::AuditEvent audit);

// The value as it may be shown: secrets left out (`set` tells whether each is).
boost::json::object setting_view(const SettingRule& rule, const boost::json::value& stored);
// The value for the audit log: secrets as "(changed)" or "(cleared)", never their text.
boost::json::value audited_value(const SettingRule& rule, const boost::json::value& value);

}  // namespace petitiond::api
