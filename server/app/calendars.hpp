#pragma once
// The working calendars a server uses: those shipped in schemas/calendars/, plus any *.yaml files in the
// calendar directory (default DATA_DIR/calendars), where an admin drops next year's official dates
// (cn-2027.yaml, say) or a unit's own calendar, without a rebuild. Files join their calendar by name.
#include <filesystem>

#include "workflow/registry.hpp"

namespace petitiond::app {

// Throws std::runtime_error naming the file and problem.
workflow::CalendarSet load_calendars(const std::filesystem::path& extra_dir);

}  // namespace petitiond::app
