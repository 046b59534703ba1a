#pragma once
// The routing table a server uses: the shipped default, or the file --routing names.
#include <filesystem>

#include "workflow/routing.hpp"

namespace petitiond::app {

// Throws std::runtime_error listing every problem with its line, so the server refuses a bad table.
workflow::RoutingTable load_routing_table(const std::filesystem::path& file);

}  // namespace petitiond::app
