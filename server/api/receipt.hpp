#pragma once
// The acknowledgement receipt (受理回执) handed or sent to the petitioner: a printable HTML page with the
// tracking code, what was registered, when an acceptance decision is due and how to follow the matter.
#include <string>

#include "server/store/petitions.hpp"

namespace petitiond::api {

std::string receipt_html(const store::Petition& petition, const workflow::Definition& definition,
                         const workflow::Calendar& calendar);

}  // namespace petitiond::api
