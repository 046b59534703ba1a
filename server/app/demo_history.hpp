#pragma once
// A year of realistic petitions for the demo (--demo), made through the petition store on a simulated clock;
// loaded once, when the database has no petitions yet.
#include <string>

#include "workflow/calendar.hpp"
#include "workflow/registry.hpp"
#include "workflow/routing.hpp"

namespace petitiond::app {

// `days` of petitions up to now; returns how many it registered (0 when there were petitions already).
int load_demo_history(const std::string& database_url, int days, const workflow::WorkflowSet& workflows,
                      const workflow::CalendarSet& calendars, const workflow::RoutingTable& routing);

}  // namespace petitiond::app
