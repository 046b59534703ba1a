#pragma once
// Text messages through the district's SMS gateway: one JSON POST per message (http_post). Configured by
// the `sms.gateway` setting: {"url": "https://…", "token": "…" (sent as a bearer token),
// "body": "{\"to\":\"{phone}\",\"text\":\"{text}\",\"id\":\"{id}\"}" (the request body, placeholders filled)}.
// {phone} is the number in E.164 ("+8613812341234", workflow/identity.hpp sms_number).
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace petitiond::notifications {

struct SmsGateway {
  std::string url, token;
  std::string body = R"({"to":"{phone}","text":"{text}","id":"{id}"})";
};

// Reads the setting's value; throws std::invalid_argument naming the problem.
SmsGateway sms_gateway_from(const boost::json::value& value);

inline constexpr const char* not_a_mobile_number = "the number cannot receive text messages (not a mobile number)";

// Sends one message (`id` makes a retry recognisable to the gateway); returns the error, or nothing when the
// gateway accepted it. A number that cannot take texts is not sent (not_a_mobile_number).
std::optional<std::string> send_sms(const SmsGateway& gateway, const std::string& phone, const std::string& text,
                                    const std::string& id, std::chrono::milliseconds timeout);

}  // namespace petitiond::notifications
