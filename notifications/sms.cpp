#include "notifications/sms.hpp"

#include <boost/json/serialize.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

#include "notifications/http_post.hpp"
#include "workflow/identity.hpp"

namespace petitiond::notifications {
namespace json = boost::json;

namespace {

std::string fill(std::string text, const std::string& name, const std::string& value) {
  const auto placeholder = "{" + name + "}";
  for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
    text.replace(at, placeholder.size(), value);
  return text;
}

// `value` as the inside of a JSON string.
std::string json_escaped(const std::string& value) {
  auto quoted = json::serialize(json::value(value));
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

SmsGateway sms_gateway_from(const json::value& value) {
  if (!value.is_object()) throw std::invalid_argument("no SMS gateway is configured (setting sms.gateway)");
  const auto& o = value.as_object();
  auto url = o.find("url");
  if (url == o.end() || !url->value().is_string())
    throw std::invalid_argument("no SMS gateway is configured (setting sms.gateway)");
  SmsGateway gateway;
  gateway.url = url->value().as_string().c_str();
  if (auto it = o.find("token"); it != o.end() && it->value().is_string())
    gateway.token = it->value().as_string().c_str();
  if (auto it = o.find("body"); it != o.end() && it->value().is_string())
    gateway.body = it->value().as_string().c_str();
  return gateway;
}

std::optional<std::string> send_sms(const SmsGateway& gateway, const std::string& phone, const std::string& text,
                                    const std::string& id, std::chrono::milliseconds timeout) {
  const auto number = sms_number(phone);
  if (!number) return std::string(not_a_mobile_number);
  auto body = fill(fill(fill(gateway.body, "phone", json_escaped(*number)), "text", json_escaped(text)), "id",
                   json_escaped(id));
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"},
                                                           {"Idempotency-Key", id}};
  if (!gateway.token.empty()) headers.emplace_back("Authorization", "Bearer " + gateway.token);
  auto result = http_post(gateway.url, headers, body, timeout);
  if (!result.error.empty()) return "SMS gateway: " + result.error;
  if (result.status < 200 || result.status >= 300) return "SMS gateway answered " + std::to_string(result.status);
  return std::nullopt;
}

}  // namespace petitiond::notifications
