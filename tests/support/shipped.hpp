#pragma once
// The shipped default workflow definition and national working calendar, for unit tests.
#include <stdexcept>
#include <string>
#include <vector>

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "workflow/definition.hpp"

namespace petitiond::test {

inline const workflow::Definition& petition_v1() {
  static const workflow::Definition definition = [] {
    for (const auto& file : schemas::workflows())
      if (file.name.ends_with("petition-v1.yaml"))
        return workflow::load_definition(file.content, std::string(file.name)).definition;
    throw std::runtime_error("no petition-v1.yaml");
  }();
  return definition;
}

inline const workflow::Calendar& cn() {
  static const auto calendars = app::load_calendars({});
  static const std::vector<std::string> national{"cn"};
  return calendars.resolve(national);
}

}  // namespace petitiond::test
