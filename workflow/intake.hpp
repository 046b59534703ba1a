#pragma once
// What intake decides about a new petition, from what the reads found: whether it repeats an open matter,
// whether it must be refused because the same matter was concluded after review (信访工作条例 Art 35), and
// whether a consultation was answered on the call. Pure: the store reads, this decides, the store writes.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "workflow/calendar.hpp"
#include "workflow/definition.hpp"
#include "workflow/engine.hpp"

namespace petitiond::workflow {

// The state a petition is in when the same matter was concluded after review.
inline constexpr const char* concluded_state = "concluded";

// One of the person's earlier petitions in the same category (within the repeat window, or concluded).
struct EarlierPetition {
  std::int64_t id = 0;
  std::string state;
  bool open = false;  // an obligation is still running on it
};

struct IntakeRequest {
  std::string type, urgency;
  Instant now{};
  std::vector<EarlierPetition> earlier;  // newest first
  std::optional<std::string> answer_on_call;
  std::set<std::string> filer_roles;  // the workflow roles of whoever files it (none: the public portal)
  std::optional<Instant> received;    // when it arrived, if before `now`: its clocks count from then
};

// A decision taken at intake, with the state it was taken in.
struct IntakeStep {
  Decision decision;
  PetitionState before;
  bool by_system = false;  // taken by the rules, not by the filer
};

struct IntakeOutcome {
  PetitionState state;                          // after the steps
  std::optional<std::int64_t> repeat_of;        // the newest open petition on the same matter
  std::optional<std::int64_t> concluded_match;  // the newest one concluded after review
  std::vector<IntakeStep> steps;
};

// Throws Error(invalid_field) as decide() does when the filer may not answer on the call.
IntakeOutcome decide_intake(const Definition& definition, const Calendar& calendar, const IntakeRequest& request);

}  // namespace petitiond::workflow
