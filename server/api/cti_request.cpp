#include "server/api/cti_request.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "server/http/form_data.hpp"
#include "server/http/json_input.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {

// A field repeated more often than this (user[] naming the agents a call rings) keeps its first values.
constexpr std::size_t max_values = 20;
constexpr std::size_t max_fields = 100;

std::string field_name(std::string key) {
  if (key.ends_with("[]")) key.resize(key.size() - 2);
  return key;
}

void add_form(CtiFields& fields, const http::FormFields& form) {
  CtiFields from_body;
  for (const auto& field : form) {
    auto& values = from_body[field_name(field.name)];
    if (values.size() < max_values) values.push_back(field.value);
  }
  for (auto& [key, values] : from_body) fields[key] = std::move(values);
}

std::optional<CtiFields> json_fields(std::string_view body) {
  boost::system::error_code error;
  auto parsed = json::parse(body, error);
  if (error || !parsed.is_object()) return std::nullopt;
  CtiFields fields;
  for (const auto& [key, value] : parsed.as_object()) {
    auto& out = fields[field_name(std::string(key))];
    auto add = [&out](const json::value& item) {
      if (out.size() >= max_values) return;
      if (item.is_string()) out.emplace_back(item.as_string());
      else if (item.is_number() || item.is_bool()) out.push_back(json::serialize(item));
    };
    if (value.is_array())
      for (const auto& item : value.as_array()) add(item);
    else add(value);
  }
  return fields;
}

bool usable(const std::string& key, const std::string& value) {
  if (!http::valid_utf8(value)) return false;
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return false;
  return http::utf8_length(value) <= (key == "callId" || key == "call_id" ? max_call_id : max_cti_value);
}

}  // namespace

CtiRequest cti_request(const http::RequestContext& context) {
  CtiRequest out;
  CtiFields fields;
  bool carried = false;
  if (auto query = http::urlencoded_fields(context.url.encoded_query()); query && !query->empty()) {
    add_form(fields, *query);
    carried = true;
  }
  const auto& body = context.request.body();
  const auto type = http::media_type(context.request[http::beast::http::field::content_type]);
  if (!body.empty()) {
    if (type == "application/json" || type.ends_with("+json")) {
      auto parsed = json_fields(body);
      if (!parsed) return out;
      for (auto& [key, values] : *parsed) fields[key] = std::move(values);
      carried = true;
    } else if (auto form = http::form_body(context.request)) {
      add_form(fields, *form);
      carried = true;
    }
  }
  if (!carried || fields.size() > max_fields) return out;
  for (const auto& [key, values] : fields) {
    if (!usable("", key)) {
      out.refused = "parameter";
      return out;
    }
    for (const auto& value : values)
      if (!usable(key, value)) {
        out.refused = key;
        return out;
      }
  }
  out.fields = std::move(fields);
  return out;
}

std::optional<std::string> first(const CtiFields& fields, const char* name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.empty() || it->second.front().empty()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> all(const CtiFields& fields, const char* name) {
  auto it = fields.find(name);
  if (it == fields.end()) return {};
  std::vector<std::string> values;
  for (const auto& value : it->second)
    if (!value.empty()) values.push_back(value);
  return values;
}

}  // namespace petitiond::api
