#pragma once
// The JSON shapes of petitions. Personal data is masked here, always; an anonymous petitioner's identity
// is hidden from everyone but the hotline and their proxy. Only the unmask endpoint returns full values.
#include <boost/json/value.hpp>
#include <set>
#include <string>

#include "server/store/petitions.hpp"

namespace petitiond::api {

// `roles` are the actor's roles toward this petition (PetitionStore::roles_toward): they decide which
// actions are offered and whether an anonymous petitioner's identity shows.
boost::json::value petition_view(const store::Petition& petition, const std::set<std::string>& roles,
                                 const workflow::Definition& definition, const workflow::Calendar& calendar,
                                 workflow::Instant now);
// Summaries say the working time left before their deadline, by the calendar of the unit deciding.
boost::json::value summary_view(const store::PetitionSummary& summary, const workflow::CalendarSet& calendars,
                                workflow::Instant now);
boost::json::value event_view(const store::TimelineEvent& event);
boost::json::value label_view(const workflow::Label& label);
boost::json::value caller_history_view(const store::CallerHistory& history, const workflow::CalendarSet& calendars,
                                       workflow::Instant now);

// Whether these roles see an anonymous petitioner's identity (the hotline that took the call, the proxy).
bool sees_anonymous_identity(const std::set<std::string>& roles);

}  // namespace petitiond::api
