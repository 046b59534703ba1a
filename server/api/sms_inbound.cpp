#include "server/api/sms_inbound.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "server/http/form_data.hpp"
#include "server/http/json_input.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {

using Fields = std::map<std::string, std::string>;

const std::vector<const char*> from_names{"from", "From", "mobile", "phone", "sender", "msisdn"};
const std::vector<const char*> text_names{"text", "Text", "content", "Body", "body", "message", "msg"};
const std::vector<const char*> id_names{"id", "sid", "MessageSid", "SmsSid", "msgid", "msg_id", "message_id"};

std::optional<std::string> first_of(const Fields& fields, const std::vector<const char*>& names) {
  for (const auto* name : names)
    if (auto it = fields.find(name); it != fields.end()) return it->second;
  return std::nullopt;
}

Fields json_fields(const json::object& object) {
  Fields fields;
  for (const auto& [key, value] : object) {
    if (value.is_string()) fields[std::string(key)] = std::string(value.as_string());
    else if (value.is_number()) fields[std::string(key)] = json::serialize(value);
  }
  return fields;
}

std::vector<Fields> request_fields(const http::Request& request) {
  const auto type = http::media_type(request[http::beast::http::field::content_type]);
  if (type == "application/json" || type.ends_with("+json")) {
    boost::system::error_code error;
    auto parsed = json::parse(request.body(), error);
    if (error) throw Error(Errc::invalid_field, "is not valid JSON", "body");
    std::vector<Fields> out;
    if (parsed.is_object()) {
      out.push_back(json_fields(parsed.as_object()));
    } else if (parsed.is_array()) {
      if (parsed.as_array().size() > max_sms_per_request)
        throw Error(Errc::invalid_field, "may report at most " + std::to_string(max_sms_per_request) + " messages",
                    "body");
      for (const auto& item : parsed.as_array()) {
        if (!item.is_object()) throw Error(Errc::invalid_field, "must be a list of message objects", "body");
        out.push_back(json_fields(item.as_object()));
      }
    } else {
      throw Error(Errc::invalid_field, "must be a message object or a list of them", "body");
    }
    return out;
  }
  if (auto form = http::form_body(request)) {
    Fields fields;
    for (const auto& field : *form) fields.emplace(field.name, field.value);
    return {fields};
  }
  throw Error(Errc::invalid_field, "must be JSON or form data", "body");
}

// `value` as a message's field: valid UTF-8, no control characters (line breaks in a text aside), not too long.
std::string checked(const std::string& value, const std::string& field, std::size_t max, bool multiline) {
  if (!http::valid_utf8(value)) throw Error(Errc::invalid_field, "is not valid UTF-8", field);
  for (unsigned char c : value)
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
      throw Error(Errc::invalid_field, "holds a control character", field);
  if (http::utf8_length(value) > max)
    throw Error(Errc::invalid_field, "must be at most " + std::to_string(max) + " characters", field);
  return value;
}

}  // namespace

std::vector<store::InboundSms> inbound_sms(const http::Request& request) {
  const auto all = request_fields(request);
  if (all.empty()) throw Error(Errc::invalid_field, "reports no message", "body");
  std::vector<store::InboundSms> messages;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& fields = all[i];
    const auto where = all.size() > 1 ? "[" + std::to_string(i) + "]." : std::string();
    auto from = first_of(fields, from_names);
    if (!from || from->empty()) throw Error(Errc::invalid_field, "is required: the sender's number", where + "from");
    auto text = first_of(fields, text_names);
    if (!text) throw Error(Errc::invalid_field, "is required: the message", where + "text");
    store::InboundSms sms;
    sms.from = checked(*from, where + "from", 40, false);
    if (auto nation = fields.find("nationcode");
        nation != fields.end() && !nation->second.empty() && nation->second != "86" && !sms.from.starts_with("+"))
      sms.from = "+" + checked(nation->second, where + "nationcode", 4, false) + sms.from;
    sms.text = checked(*text, where + "text", 1000, true);
    if (auto id = first_of(fields, id_names); id && !id->empty())
      sms.gateway_id = checked(*id, where + "id", 200, false);
    messages.push_back(std::move(sms));
  }
  return messages;
}

}  // namespace petitiond::api
