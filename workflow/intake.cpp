#include "workflow/intake.hpp"

namespace petitiond::workflow {

IntakeOutcome decide_intake(const Definition& definition, const Calendar& calendar, const IntakeRequest& request) {
  IntakeOutcome outcome;
  outcome.state = initial_state(definition, request.type, request.urgency, request.received.value_or(request.now));
  for (const auto& earlier : request.earlier) {
    if (earlier.state == concluded_state && !outcome.concluded_match) outcome.concluded_match = earlier.id;
    if (earlier.open && !outcome.repeat_of) outcome.repeat_of = earlier.id;
  }
  std::optional<Command> command;
  std::set<std::string> roles = request.filer_roles;
  bool by_system = false;
  if (outcome.concluded_match) {
    command = Command{"not_accept",
                      {{"reason", "同一事项已于复核后终结（信访事项 " + std::to_string(*outcome.concluded_match) +
                                      "），依《信访工作条例》不再受理。"}}};
    roles = {"operator"};
    by_system = true;
  } else if (request.answer_on_call) {
    command = Command{"answer_on_call", {{"reply", *request.answer_on_call}}};
  }
  if (command) {
    auto decision = decide(outcome.state, *command, roles, request.now, definition, calendar);
    auto before = outcome.state;
    outcome.state = apply(outcome.state, decision);
    outcome.steps.push_back({std::move(decision), std::move(before), by_system});
  }
  return outcome;
}

}  // namespace petitiond::workflow
