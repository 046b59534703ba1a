#pragma once
// Moving the running petitions of one workflow version to another (an admin's migration mapping): each
// state a running petition may be in is given a state of the new version. A migrated petition keeps the
// deadlines already running (the law fixed them when its clocks started); what it may do next, and the
// clocks it starts from then on, follow the new version.
#include <map>
#include <string>

#include "workflow/definition.hpp"

namespace petitiond::workflow {

// The whole mapping, old state -> new state, for every state that is not terminal in `from`: those `given`
// names, and the others by their own name where `to` has it. Throws Error(invalid_field) listing every
// problem (field "migration.states.<state>", or "migration" for one about the whole): a state unknown on either
// side, a running state left without a place or sent to a terminal one, a clock of `from` that `to` lacks.
std::map<std::string, std::string> migration_mapping(const Definition& from, const Definition& to,
                                                     const std::map<std::string, std::string>& given);

}  // namespace petitiond::workflow
