#pragma once
// The JSON shapes of API responses. Personal data (phones) is masked here, always; only the unmask
// endpoint returns it in full.
#include <boost/json/value.hpp>

#include "server/store/audit.hpp"
#include "server/store/auth.hpp"
#include "server/store/units.hpp"
#include "server/store/users.hpp"

namespace petitiond::api {

boost::json::value unit_view(const store::Unit& unit);
boost::json::value user_view(const store::User& user);
boost::json::value token_view(const store::ApiToken& token);
boost::json::value audit_view(const store::AuditRecord& record);

}  // namespace petitiond::api
