#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "server/app/config.hpp"
#include "server/app/server.hpp"

extern char** environ;

int main(int argc, char** argv) {
  using namespace petitiond;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::map<std::string, std::string> environment;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) environment.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }

  app::ParsedConfig parsed;
  try {
    parsed = app::parse_config(args, environment);
  } catch (const app::ConfigError& e) {
    std::cerr << "petitiond: " << e.what() << "\nTry 'petitiond --help'.\n";
    return 2;
  }
  if (!parsed.config) {
    std::cout << parsed.message;
    return 0;
  }
  log::setup(parsed.config->log_format, parsed.config->log_level);
  try {
    return app::run(*parsed.config);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
