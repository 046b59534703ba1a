#pragma once
// Reading a petition from a request body, every field checked (lengths, enumerations, ID check digit,
// phone and certificate formats) with errors that name the field ("petitioner.id_number").
#include <boost/json/object.hpp>

#include "server/http/types.hpp"
#include "server/store/petitions.hpp"

namespace petitiond::api {

enum class IntakeKind { staff, portal };

store::NewPetition petition_input(const boost::json::object& body, IntakeKind kind, workflow::Instant now);

// The consent a proxy records: {"method": "written", "at": "2026-11-28T09:30:00+08:00"}.
std::pair<std::string, std::int64_t> consent_input(const boost::json::value* value, const std::string& name,
                                                   workflow::Instant now);

// The Idempotency-Key header: at most 100 printable ASCII characters; nullopt when absent.
std::optional<std::string> idempotency_key(const http::RequestContext& context);

// "2026-11-28T09:30:00+08:00" (or Z, or a bare date) as epoch seconds; nullopt when malformed.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

}  // namespace petitiond::api
