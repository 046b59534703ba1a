#pragma once
// The shipped default workflow definition and national working calendar, for unit tests.
#include <stdexcept>
#include <string>
#include <vector>

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "workflow/definition.hpp"

namespace petitiond::test {

inline workflow::Definition shipped_workflow(const std::string& file_name) {
  for (const auto& file : schemas::workflows())
    if (file.name.ends_with(file_name))
      return workflow::load_definition(file.content, std::string(file.name)).definition;
  throw std::runtime_error("no " + file_name);
}

inline const workflow::Definition& petition_v1() {
  static const workflow::Definition definition = shipped_workflow("petition-v1.yaml");
  return definition;
}

// The definition new petitions use: the procedure across levels (issue 19).
inline const workflow::Definition& petition_v2() {
  static const workflow::Definition definition = shipped_workflow("petition-v2.yaml");
  return definition;
}

inline const workflow::Calendar& cn() {
  static const auto calendars = app::load_calendars({});
  static const std::vector<std::string> national{"cn"};
  return calendars.resolve(national);
}

}  // namespace petitiond::test
