// The whole configuration as one YAML bundle (admins), so that a second district or a test environment starts
// from a known set-up: units, area-level names, working-calendar years edited in the app, the workflow versions
// installed and which is active, the routing table in force, the message texts saved in the app, and every
// setting but the secrets. An import is checked as a whole — every problem listed, nothing changed — and then
// applied step by step, each step audited as the matching API change is.
#include <yaml-cpp/yaml.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "server/api/routes.hpp"
#include "server/api/setting_rules.hpp"
#include "server/api/unit_files.hpp"
#include "server/http/json_input.hpp"
#include "server/http/response.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

constexpr int bundle_format = 1;
// Settings carried besides the catalogue's: the routing functions' units and the area levels' names.
const std::vector<std::string> extra_settings{"routing.functions", "units.level_names"};

void emit(YAML::Emitter& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out << YAML::Null; break;
    case json::kind::bool_: out << v.as_bool(); break;
    case json::kind::int64: out << v.as_int64(); break;
    case json::kind::uint64: out << v.as_uint64(); break;
    case json::kind::double_: out << v.as_double(); break;
    case json::kind::string: out << YAML::DoubleQuoted << std::string(v.as_string()); break;
    case json::kind::array:
      out << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : v.as_array()) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::kind::object:
      out << YAML::Flow << YAML::BeginMap;
      for (const auto& [key, item] : v.as_object()) {
        out << YAML::Key << std::string(key) << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
  }
}

json::value to_json(const YAML::Node& node) {
  if (!node || node.IsNull()) return nullptr;
  if (node.IsSequence()) {
    json::array out;
    for (const auto& item : node) out.push_back(to_json(item));
    return out;
  }
  if (node.IsMap()) {
    json::object out;
    for (const auto& item : node) out[item.first.as<std::string>()] = to_json(item.second);
    return out;
  }
  const auto text = node.as<std::string>();
  if (node.Tag() == "!") return json::string(text);  // quoted: a string, whatever it looks like
  if (text == "true" || text == "false") return text == "true";
  try {
    std::size_t used = 0;
    const auto number = std::stoll(text, &used);
    if (used == text.size()) return number;
  } catch (const std::exception&) {
  }
  return json::string(text);
}

std::vector<std::string> dates_in(const std::set<workflow::Date>& days, int year) {
  std::vector<std::string> out;
  for (auto day : days) {
    auto text = workflow::format_date(day);
    if (text.starts_with(std::to_string(year) + "-")) out.push_back(std::move(text));
  }
  return out;
}

awaitable<Response> export_bundle(Services& services, RequestContext& context) {
  const auto units = co_await services.units.list(std::nullopt, true);
  const auto stored = co_await services.settings.all();
  const auto edited = co_await services.calendars.edited_years();
  const auto workflow_rows = co_await services.config_versions.versions("workflow");
  const auto templates = co_await services.config_versions.in_force("templates", "default");
  const auto calendars = services.calendars.current();
  const auto routing = services.routing.current();

  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "petitiond_configuration" << YAML::Value << bundle_format;
  out << YAML::Key << "units" << YAML::Value << YAML::Load(units_to_yaml(units))["units"];
  out << YAML::Key << "settings" << YAML::Value << YAML::BeginMap;
  for (const auto& rule : setting_rules()) {
    if (rule.secret) continue;
    auto it = stored.find(rule.name);
    if (it == stored.end()) continue;
    auto value = it->second.value;
    for (const auto& field : rule.secret_fields)
      if (value.is_object()) value.as_object().erase(field);
    out << YAML::Key << rule.name << YAML::Value;
    emit(out, value);
  }
  for (const auto& name : extra_settings)
    if (auto it = stored.find(name); it != stored.end()) {
      out << YAML::Key << name << YAML::Value;
      emit(out, it->second.value);
    }
  out << YAML::EndMap;
  out << YAML::Key << "calendar_years" << YAML::Value << YAML::BeginSeq;
  for (const auto& year : edited) {
    if (!calendars->contains(year.calendar)) continue;  // a year kept for a calendar no file defines any more
    const auto& calendar = calendars->all().at(year.calendar);
    out << YAML::BeginMap << YAML::Key << "calendar" << YAML::Value << year.calendar << YAML::Key << "year"
        << YAML::Value << year.year << YAML::Key << "rest_days" << YAML::Value << YAML::Flow
        << dates_in(calendar.rest_days(), year.year) << YAML::Key << "working_days" << YAML::Value << YAML::Flow
        << dates_in(calendar.working_days(), year.year) << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "workflows" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "active" << YAML::Value << YAML::BeginMap;
  for (const auto* d : services.workflows.set().all())
    if (services.workflows.set().active(d->workflow).version == d->version)
      out << YAML::Key << d->workflow << YAML::Value << d->version;
  out << YAML::EndMap << YAML::Key << "installed" << YAML::Value << YAML::BeginSeq;
  for (const auto& row : workflow_rows)
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << row.name << YAML::Key << "version" << YAML::Value
        << row.version << YAML::Key << "source" << YAML::Value << YAML::Literal << row.source << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::Key << "routing" << YAML::Value << YAML::Literal << routing->source;
  out << YAML::Key << "templates" << YAML::Value;
  if (templates) out << YAML::Literal << templates->source;
  else out << YAML::Null;
  out << YAML::EndMap;
  co_await services.audit.record(audit_event(context, "configuration.exported"));
  co_return http::text_response(http::Status::ok, std::string(out.c_str()) + "\n", "application/yaml; charset=utf-8");
}

// A bundle read and checked whole; what apply() then writes.
struct Bundle {
  std::vector<store::UnitInput> units;
  std::vector<std::pair<std::string, json::value>> settings;  // checked and in stored form
  std::vector<std::pair<std::string, workflow::CalendarYear>> calendar_years;
  std::vector<store::ConfigVersion> workflows;  // new versions to install
  std::map<std::string, int> active_workflows;
  std::optional<std::string> routing, templates;
};

struct Checker {
  std::vector<ErrorProblem> problems;
  void add(std::string message, std::string field, int line = 0) {
    problems.push_back({std::move(message), std::move(field), line});
  }
};

int line_of(const YAML::Node& node) { return static_cast<int>(node.Mark().line) + 1; }

// A bundle is read by walking its values (settings into JSON, units back into YAML), and an alias stands for its
// anchor's value each time it is used: a few lines of anchors can stand for billions of values. The walk is
// bounded before anything reads the bundle; a document without aliases within the body limit always fits.
constexpr std::size_t max_values = 2'000'000;

bool within(const YAML::Node& node, std::size_t& budget) {
  if (budget == 0) return false;
  --budget;
  if (node.IsSequence() || node.IsMap())
    for (const auto& item : node)
      if (!within(node.IsMap() ? item.second : static_cast<const YAML::Node&>(item), budget)) return false;
  return true;
}

awaitable<Bundle> checked_bundle(Services& services, const std::string& text) {
  Checker c;
  Bundle b;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(Errc::invalid_field, std::vector<ErrorProblem>{{"not valid YAML: " + e.msg, "body", e.mark.line + 1}});
  }
  if (std::size_t budget = max_values; !within(root, budget))
    throw Error(Errc::invalid_field,
                "holds more than " + std::to_string(max_values) + " values (an alias counts each time it is used)",
                "body");
  if (!root.IsMap() || !root["petitiond_configuration"] ||
      root["petitiond_configuration"].as<std::string>() != std::to_string(bundle_format))
    throw Error(Errc::invalid_field, "not a petitiond configuration bundle (petitiond_configuration: 1)",
                "petitiond_configuration");
  for (const auto& entry : root) {
    const auto key = entry.first.as<std::string>();
    if (key != "petitiond_configuration" && key != "units" && key != "settings" && key != "calendar_years" &&
        key != "workflows" && key != "routing" && key != "templates")
      c.add("unknown section " + key, key, line_of(entry.first));
  }

  // Units first: the codes the rest may name are the active ones here and those the bundle brings.
  std::set<std::string> bundle_units;
  if (root["units"]) {
    try {
      YAML::Emitter units;
      units << YAML::BeginMap << YAML::Key << "units" << YAML::Value << root["units"] << YAML::EndMap;
      b.units = parse_units_yaml(units.c_str());
      for (const auto& u : b.units)
        if (u.active) bundle_units.insert(u.code);
    } catch (const Error& e) {
      c.add(e.message(), "units" + (e.field().empty() ? "" : "." + e.field()), line_of(root["units"]));
    }
  }
  std::vector<std::pair<std::string, std::string>> unit_refs;  // code, field

  if (const auto settings = root["settings"]) {
    for (const auto& entry : settings) {
      const auto name = entry.first.as<std::string>();
      const auto field = "settings." + name;
      const auto value = to_json(entry.second);
      if (name == "routing.functions") {
        bool valid = value.is_object();
        for (const auto& [function, code] : valid ? value.as_object() : json::object()) {
          if (code.is_string())
            unit_refs.emplace_back(std::string(code.as_string()), field + "." + std::string(function));
          else valid = valid && code.is_null();
        }
        if (valid) b.settings.emplace_back(name, value);
        else c.add("must map each function to a unit code or null", field, line_of(entry.second));
        continue;
      }
      if (name == "units.level_names") {
        bool valid = value.is_array() && !value.as_array().empty() && value.as_array().size() <= 10;
        for (const auto& level : valid ? value.as_array() : json::array())
          valid = valid && level.is_object() && level.as_object().size() == 2 && level.as_object().contains("zh") &&
                  level.as_object().contains("en") && level.at("zh").is_string() && level.at("en").is_string();
        if (valid) b.settings.emplace_back(name, value);
        else c.add("must list each level's name as {zh, en}", field, line_of(entry.second));
        continue;
      }
      try {
        const auto& rule = setting_rule(name);
        if (rule.secret) {
          c.add("secrets are not imported; set it on the new installation", field, line_of(entry.first));
          continue;
        }
        const auto stored = (co_await services.settings.get(name)).value_or(nullptr);
        std::vector<UnitReference> refs;
        b.settings.emplace_back(name, checked_setting(rule, value, stored, refs));
        for (auto& ref : refs) unit_refs.emplace_back(ref.code, "settings." + name + ref.field.substr(5));
      } catch (const Error& e) {
        c.add(e.message(), e.errc() == Errc::not_found ? field : "settings." + name + e.field().substr(5),
              line_of(entry.second));
      }
    }
  }

  if (const auto years = root["calendar_years"]) {
    const auto calendars = services.calendars.current();
    for (std::size_t i = 0; i < years.size(); ++i) {
      const auto node = years[i];
      const auto field = "calendar_years[" + std::to_string(i) + "]";
      try {
        const auto name = node["calendar"].as<std::string>();
        if (!calendars->contains(name)) {
          c.add("no calendar file defines " + name, field + ".calendar", line_of(node));
          continue;
        }
        auto rest = node["rest_days"] ? node["rest_days"].as<std::vector<std::string>>() : std::vector<std::string>{};
        auto working =
            node["working_days"] ? node["working_days"].as<std::vector<std::string>>() : std::vector<std::string>{};
        auto read = workflow::read_calendar_year(node["year"].as<int>(), rest, working);
        if (auto* problem = std::get_if<workflow::CalendarYearProblem>(&read))
          c.add(problem->message, field + "." + problem->field, line_of(node));
        else b.calendar_years.emplace_back(name, std::get<workflow::CalendarYear>(read));
      } catch (const YAML::Exception&) {
        c.add("needs calendar, year, rest_days and working_days", field, line_of(node));
      }
    }
  }

  if (const auto workflows = root["workflows"]) {
    workflow::WorkflowSet held(services.workflows.set());
    const auto stored = co_await services.config_versions.versions("workflow");
    const auto installed = workflows["installed"];
    for (std::size_t i = 0; installed && i < installed.size(); ++i) {
      const auto field = "workflows.installed[" + std::to_string(i) + "]";
      const auto source = installed[i]["source"] ? installed[i]["source"].as<std::string>() : std::string();
      const auto loaded = workflow::load_definition(source, field);
      if (loaded.problems.empty() && held.contains(loaded.definition.workflow, loaded.definition.version)) {
        bool same = false;
        for (const auto& row : stored)
          same |= row.name == loaded.definition.workflow && row.version == loaded.definition.version &&
                  row.source == source;
        if (!same)
          c.add(
              "version " + std::to_string(loaded.definition.version) + " is installed here already with other content",
              field, line_of(installed[i]));
        continue;
      }
      try {
        auto definition = store::checked_workflow(source, field, held);
        b.workflows.push_back({"workflow", definition.workflow, definition.version, source, "import", {}, {}});
        held.add(std::move(definition));
      } catch (const Error& e) {
        for (const auto& p : e.problems())
          c.add("line " + std::to_string(p.line) + " of the definition: " + p.message, field, line_of(installed[i]));
      }
    }
    for (const auto& entry : workflows["active"]) {
      const auto name = entry.first.as<std::string>();
      const auto version = entry.second.as<int>();
      if (!held.contains(name, version))
        c.add("no version " + std::to_string(version) + " of " + name + " here or in the bundle",
              "workflows.active." + name, line_of(entry.second));
      else b.active_workflows[name] = version;
    }
  }

  if (const auto routing = root["routing"]; routing && !routing.IsNull()) {
    const auto source = routing.as<std::string>();
    try {
      const auto table = services.routing.checked(source);
      for (const auto& [code, line] : store::units_named(table))
        unit_refs.emplace_back(code, "routing (line " + std::to_string(line) + ")");
      b.routing = source;
    } catch (const Error& e) {
      for (const auto& p : e.problems())
        c.add((p.line ? "line " + std::to_string(p.line) + " of the table: " : std::string()) + p.message, "routing",
              line_of(routing));
    }
  }

  if (const auto templates = root["templates"]; templates && !templates.IsNull()) {
    try {
      notifications::MessageTexts::parse(templates.as<std::string>(), true);
      b.templates = templates.as<std::string>();
    } catch (const std::invalid_argument& e) {
      c.add(e.what(), "templates", line_of(templates));
    }
  }

  std::vector<std::string> codes;
  for (const auto& [code, field] : unit_refs) codes.push_back(code);
  const auto active = co_await services.units.active_codes(codes);
  for (const auto& [code, field] : unit_refs)
    if (!bundle_units.count(code) && std::find(active.begin(), active.end(), code) == active.end())
      c.add("no active unit has the code " + code + ", here or in the bundle", field);

  if (!c.problems.empty()) throw Error(Errc::invalid_field, std::move(c.problems));
  co_return b;
}

awaitable<Response> import_bundle(Services& services, RequestContext& context) {
  const auto text = http::yaml_body(context.request);
  auto bundle = co_await checked_bundle(services, text);
  const auto& actor = actor_of(context);
  json::object done;
  if (!bundle.units.empty()) {
    const auto count = bundle.units.size();
    auto written = co_await services.units.import(std::move(bundle.units),
                                                  audit_event(context, "units.imported", "bundle", "configuration"));
    done["units"] = json::object{{"in_bundle", count}, {"written", written}};
  }
  for (auto& [name, value] : bundle.settings) {
    auto event = audit_event(context, "settings.changed", "setting", name);
    event.details["via"] = "configuration import";
    co_await services.settings.set(name, std::move(value), std::move(event));
  }
  done["settings"] = bundle.settings.size();
  for (const auto& [calendar, year] : bundle.calendar_years) {
    auto event = audit_event(context, "calendar.changed", "calendar", calendar + "/" + std::to_string(year.year));
    event.details["via"] = "configuration import";
    co_await services.calendars.set_year(calendar, year, actor.login, services.petitions.now(), std::move(event));
  }
  done["calendar_years"] = bundle.calendar_years.size();
  for (auto& row : bundle.workflows) {
    auto event = audit_event(context, "workflow.installed", "workflow", row.name + "/" + std::to_string(row.version));
    co_await services.config_versions.add(std::move(row), actor.user_id, std::move(event));
  }
  done["workflows_installed"] = bundle.workflows.size();
  co_await services.workflows.reload();
  for (const auto& [name, version] : bundle.active_workflows)
    if (services.workflows.set().active(name).version != version)
      co_await services.workflows.activate(name, version, std::nullopt, actor.user_id,
                                           audit_event(context, "workflow.activated"));
  if (bundle.routing && *bundle.routing != services.routing.current()->source) {
    const int version = co_await services.routing.install(*bundle.routing, "import", actor.user_id,
                                                          audit_event(context, "routing.installed"));
    co_await services.routing.activate(version, actor.user_id, audit_event(context, "routing.activated"));
    done["routing_version"] = version;
  }
  const auto templates = co_await services.config_versions.in_force("templates", "default");
  if (bundle.templates && (!templates || templates->source != *bundle.templates)) {
    const int version = co_await services.config_versions.next_version("templates", "default");
    store::ConfigVersion row{"templates", "default", version, *bundle.templates, "import", {}, {}};
    co_await services.config_versions.add(std::move(row), actor.user_id,
                                          audit_event(context, "templates.saved", "templates", std::to_string(version)),
                                          true);
    co_await reload_templates(services);
    done["templates_version"] = version;
  }
  co_return http::json_response(http::Status::ok, {{"imported", std::move(done)}});
}

}  // namespace

void add_configuration_routes(http::Router& router, Services& services) {
  const auto admins = http::Access::only({Role::admin});
  router.add(http::Verb::get, "/api/v1/configuration", admins,
             [&services](RequestContext& c) { return export_bundle(services, c); });
  router.add(
      http::Verb::post, "/api/v1/configuration", admins,
      [&services](RequestContext& c) { return import_bundle(services, c); }, 4 * 1024 * 1024);
}

}  // namespace petitiond::api
