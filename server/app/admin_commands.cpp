#include "server/app/admin_commands.hpp"

#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/api/setting_rules.hpp"
#include "server/app/offline.hpp"
#include "server/api/unit_files.hpp"
#include "server/auth/secrets.hpp"
#include "server/store/units.hpp"
#include "server/store/users.hpp"
#include "core/error.hpp"
#include "workflow/identity.hpp"

namespace petitiond::app {
namespace asio = boost::asio;
namespace {

struct Cli {
  pg::Pool& pool;
  store::UnitStore units;
  store::UserStore users;
  Actor actor;  // an admin: the command line belongs to whoever runs the server
};

store::AuditEvent cli_audit(const Cli& cli, std::string action, std::string target_type, std::string target_id) {
  store::AuditEvent event;
  event.action = std::move(action);
  event.actor_login = cli.actor.login;
  event.target_type = std::move(target_type);
  event.target_id = std::move(target_id);
  event.details["via"] = "command line";
  return event;
}

std::string read_password(const Config::CommandOptions& options) {
  if (!options.password_stdin) return auth::random_password();
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (auto problem = auth::password_problem(password); !problem.empty())
    throw Error(Errc::invalid_field, "the password " + problem, "password");
  return password;
}

asio::awaitable<int> user_command(Cli& cli, const Config& config) {
  const auto& verb = config.arguments[0];
  const auto& login = config.arguments[1];
  const auto& options = config.command_options;
  if (verb == "add") {
    if (auto problem = login_problem(login); !problem.empty())
      throw Error(Errc::invalid_field, "LOGIN " + problem, "login");
    if (options.name.empty()) throw Error(Errc::invalid_field, "--name is required", "name");
    if (options.unit.empty()) throw Error(Errc::invalid_field, "--unit is required", "unit");
    if (options.roles.empty()) throw Error(Errc::invalid_field, "at least one --role is required", "role");
    store::NewUser user{login, options.name, std::nullopt, options.unit, {}};
    if (!options.phone.empty()) {
      if (auto problem = phone_problem(options.phone); !problem.empty())
        throw Error(Errc::invalid_field, "--phone " + problem, "phone");
      user.phone = options.phone;
    }
    for (const auto& name : options.roles) {
      auto role = parse_role(name);
      if (!role) throw Error(Errc::invalid_field, "--role: unknown role '" + name + "'", "role");
      user.roles.insert(*role);
    }
    auto password = read_password(options);
    auto created =
        co_await cli.users.create(user, auth::hash_password(password), cli_audit(cli, "user.created", "user", login));
    std::cout << "created user " << created.login << " (id " << created.id << ") in unit " << created.unit_code << "\n";
    if (!options.password_stdin) std::cout << "password: " << password << "\n";
    co_return 0;
  }
  auto record = co_await cli.users.login_record(login);
  if (!record) throw Error(Errc::not_found, "no user has the login " + login);
  if (verb == "disable") {
    store::UserChange change;
    change.active = false;
    co_await cli.users.update(cli.actor, record->id, change,
                              cli_audit(cli, "user.disabled", "user", std::to_string(record->id)));
    std::cout << "disabled user " << login << "; their sessions have ended\n";
    co_return 0;
  }
  auto password = read_password(options);
  co_await cli.users.set_password(login, auth::hash_password(password),
                                  cli_audit(cli, "user.password_reset", "user", std::to_string(record->id)));
  std::cout << "reset the password of " << login << "; their sessions have ended\n";
  if (!options.password_stdin) std::cout << "password: " << password << "\n";
  co_return 0;
}

asio::awaitable<int> units_command(Cli& cli, const Config& config) {
  auto format = config.command_options.format;
  if (config.arguments[0] == "export") {
    auto units = co_await cli.units.list(std::nullopt, true);
    std::cout << (format == "csv" ? api::units_to_csv(units) : api::units_to_yaml(units));
    co_return 0;
  }
  const auto& path = config.arguments[1];
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(Errc::invalid_field, "cannot read " + path, "file");
  std::stringstream text;
  text << file.rdbuf();
  if (format.empty()) format = path.ends_with(".csv") ? "csv" : "yaml";
  auto units = format == "csv" ? api::parse_units_csv(text.str()) : api::parse_units_yaml(text.str());
  const auto count = units.size();
  auto written = co_await cli.units.import(std::move(units), cli_audit(cli, "units.imported", "file", path));
  std::cout << "imported " << count << " units from " << path << " (" << written << " created or changed)\n";
  co_return 0;
}

// `settings get [NAME]`: the settings as JSON, secrets only as set or unset. `settings set NAME VALUE`: VALUE
// is JSON ("-": read from standard input, so that a secret stays out of the shell's history).
asio::awaitable<int> settings_command(Cli& cli, const Config& config) {
  store::SettingsStore settings(cli.pool);
  if (config.arguments[0] == "get") {
    const auto stored = co_await settings.all();
    boost::json::object out;
    for (const auto& rule : api::setting_rules()) {
      if (config.arguments.size() > 1 && config.arguments[1] != rule.name) continue;
      auto it = stored.find(rule.name);
      out[rule.name] = api::setting_view(rule, it == stored.end() ? boost::json::value(nullptr) : it->second.value);
    }
    if (config.arguments.size() > 1 && out.empty()) api::setting_rule(config.arguments[1]);  // not_found
    std::cout << boost::json::serialize(config.arguments.size() > 1 ? out.begin()->value() : boost::json::value(out))
              << "\n";
    co_return 0;
  }
  const auto& rule = api::setting_rule(config.arguments[1]);
  std::string text = config.arguments[2];
  if (text == "-") {
    std::stringstream input;
    input << std::cin.rdbuf();
    text = input.str();
  }
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  // A bare word is taken as a string (a unit code, a token), so `settings set portal.intake_unit QS-CL-RX` works.
  if (ec) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    value = boost::json::string(text);
  }
  co_await api::store_setting(settings, cli.units, rule, std::move(value),
                              cli_audit(cli, "settings.changed", "setting", rule.name));
  std::cout << "setting " << rule.name << " changed\n";
  co_return 0;
}

std::string account_name() {
  if (passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return std::to_string(geteuid());
}

}  // namespace

int run_admin_command(const Config& config, const std::string& database_url) {
  try {
    return run_offline<int>(database_url, [&config](pg::Pool& pool) -> asio::awaitable<int> {
      Cli cli{pool, store::UnitStore(pool), store::UserStore(pool), {}};
      cli.actor.login = "cli:" + account_name();
      cli.actor.roles.insert(Role::admin);
      if (config.command == "user") co_return co_await user_command(cli, config);
      if (config.command == "settings") co_return co_await settings_command(cli, config);
      co_return co_await units_command(cli, config);
    });
  } catch (const Error& e) {
    std::cerr << "petitiond " << config.command << ": " << e.message() << "\n";
    return e.errc() == Errc::not_found ? 3 : 2;
  }
}

}  // namespace petitiond::app
