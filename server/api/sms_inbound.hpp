#pragma once
// The messages an SMS gateway reports as received (docs/telephony.md, "SMS replies"). Gateways differ; these
// shapes are taken: a JSON object, or a JSON array of objects (Tencent Cloud's reply callback), or form data
// (Twilio's webhook). The sender is `from`, `From`, `mobile`, `phone`, `sender` or `msisdn` (with Tencent's
// `nationcode` before it when that is not 86); the text `text`, `Text`, `content`, `Body`, `body`, `message`
// or `msg`; the gateway's message id, when given, `id`, `sid`, `MessageSid`, `SmsSid`, `msgid`, `msg_id` or
// `message_id`.
#include <vector>

#include "server/http/types.hpp"
#include "server/store/sms_replies.hpp"

namespace petitiond::api {

inline constexpr std::size_t max_sms_per_request = 100;

// Throws Error(invalid_field) naming the field and the message's index when one breaks a rule.
std::vector<store::InboundSms> inbound_sms(const http::Request& request);

}  // namespace petitiond::api
