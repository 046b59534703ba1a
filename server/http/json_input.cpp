#include "server/http/json_input.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/params_view.hpp>
#include <algorithm>
#include <charconv>

#include "core/error.hpp"
#include "server/http/protocol_error.hpp"

namespace petitiond::http {
namespace {

std::string trim(std::string_view text) {
  const char* space = " \t\r\n";
  auto begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(space);
  return std::string(text.substr(begin, end - begin + 1));
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) return false;
    char32_t value = length == 1 ? lead : lead & (0xFF >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      value = (value << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < smallest[length] || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

boost::json::object json_object_body(const Request& request) {
  auto type = request[beast::http::field::content_type];
  if (!type.starts_with("application/json"))
    throw ProtocolError(Status::unsupported_media_type, "send the body as application/json");
  boost::system::error_code ec;
  // Invalid UTF-8 inside a string is let through the parser so that the field holding it can be named.
  boost::json::parse_options options;
  options.allow_invalid_utf8 = true;
  auto value = boost::json::parse(request.body(), ec, {}, options);
  if (ec) throw ProtocolError(Status::bad_request, "the body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw ProtocolError(Status::bad_request, "the body must be a JSON object");
  return std::move(value.as_object());
}

void no_body_fields(const Request& request) {
  if (request.body().empty()) return;
  auto body = json_object_body(request);
  if (!body.empty()) throw Error(Errc::invalid_field, "unknown field", std::string(body.begin()->key()));
}

std::string yaml_body(const Request& request) {
  const auto type = request[beast::http::field::content_type];
  const auto media = type.substr(0, type.find(';'));
  if (media != "application/yaml" && media != "application/x-yaml" && media != "text/yaml" && media != "text/x-yaml" &&
      media != "text/plain")
    throw ProtocolError(Status::unsupported_media_type, "send the body as application/yaml");
  if (request.body().find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(Errc::invalid_field, "is empty", "body");
  if (!valid_utf8(request.body())) throw Error(Errc::invalid_field, "is not valid UTF-8", "body");
  return request.body();
}

const boost::json::value* Fields::find(const std::string& name) {
  known_.insert(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

std::optional<std::string> Fields::optional_text(const std::string& name, std::size_t max_chars) {
  auto value = find(name);
  if (!value) return std::nullopt;
  if (!value->is_string()) throw Error(Errc::invalid_field, "must be text", name);
  if (!valid_utf8(value->as_string())) throw Error(Errc::invalid_field, "is not valid UTF-8", name);
  auto text = trim(value->as_string());
  if (utf8_length(text) > max_chars)
    throw Error(Errc::invalid_field, "must be at most " + std::to_string(max_chars) + " characters", name);
  for (unsigned char c : text)
    if (c < 0x20 && c != '\n' && c != '\t')
      throw Error(Errc::invalid_field, "must not contain control characters", name);
  return text;
}

std::string Fields::text(const std::string& name, std::size_t max_chars) {
  auto text = optional_text(name, max_chars);
  if (!text || text->empty()) throw Error(Errc::invalid_field, "is required", name);
  return *text;
}

std::optional<std::optional<std::string>> Fields::nullable_text(const std::string& name, std::size_t max_chars) {
  known_.insert(name);
  if (!object_.contains(name)) return std::nullopt;
  auto text = optional_text(name, max_chars);
  if (!text || text->empty()) return std::optional<std::string>();
  return text;
}

std::optional<std::string> Fields::secret(const std::string& name, std::size_t max_bytes, bool required) {
  auto value = find(name);
  if (!value) {
    if (required) throw Error(Errc::invalid_field, "is required", name);
    return std::nullopt;
  }
  if (!value->is_string()) throw Error(Errc::invalid_field, "must be text", name);
  if (!valid_utf8(value->as_string())) throw Error(Errc::invalid_field, "is not valid UTF-8", name);
  if (value->as_string().size() > max_bytes)
    throw Error(Errc::invalid_field, "must be at most " + std::to_string(max_bytes) + " bytes", name);
  if (required && value->as_string().empty()) throw Error(Errc::invalid_field, "is required", name);
  return std::string(value->as_string());
}

std::optional<bool> Fields::optional_bool(const std::string& name) {
  auto value = find(name);
  if (!value) return std::nullopt;
  if (!value->is_bool()) throw Error(Errc::invalid_field, "must be true or false", name);
  return value->as_bool();
}

std::optional<std::int64_t> Fields::optional_integer(const std::string& name, std::int64_t min, std::int64_t max) {
  auto value = find(name);
  if (!value) return std::nullopt;
  if (!value->is_int64() && !value->is_uint64()) throw Error(Errc::invalid_field, "must be a whole number", name);
  if (value->is_uint64() && value->as_uint64() > static_cast<std::uint64_t>(max))
    throw Error(Errc::invalid_field, "must be at most " + std::to_string(max), name);
  auto number = value->to_number<std::int64_t>();
  if (number < min || number > max)
    throw Error(Errc::invalid_field, "must be between " + std::to_string(min) + " and " + std::to_string(max), name);
  return number;
}

std::optional<std::vector<std::string>> Fields::optional_choices(const std::string& name,
                                                                 const std::set<std::string>& allowed) {
  auto value = find(name);
  if (!value) return std::nullopt;
  std::string choices;
  for (const auto& a : allowed) choices += (choices.empty() ? "" : ", ") + a;
  if (!value->is_array() || value->as_array().empty())
    throw Error(Errc::invalid_field, "must be a non-empty list of: " + choices, name);
  if (value->as_array().size() > allowed.size())
    throw Error(Errc::invalid_field, "has at most " + std::to_string(allowed.size()) + " entries: " + choices, name);
  std::vector<std::string> out;
  for (const auto& item : value->as_array()) {
    if (!item.is_string() || !valid_utf8(item.as_string()) || !allowed.count(std::string(item.as_string())))
      throw Error(Errc::invalid_field, "each entry must be one of: " + choices, name);
    std::string entry(item.as_string());
    if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(entry);
  }
  return out;
}

void Fields::reject_unknown() const {
  for (const auto& field : object_) {
    if (!valid_utf8(field.key())) throw Error(Errc::invalid_field, "a field name is not valid UTF-8", "(field name)");
    if (!known_.count(std::string(field.key())))
      throw Error(Errc::invalid_field, "unknown field", std::string(field.key()));
  }
}

std::optional<std::string> query_param(const RequestContext& context, std::string_view name) {
  for (auto param : context.url.params()) {
    if (param.key == name) {
      if (!param.has_value || param.value.empty()) return std::nullopt;
      if (!valid_utf8(param.value)) throw Error(Errc::invalid_field, "is not valid UTF-8", std::string(name));
      for (unsigned char c : std::string_view(param.value))
        if (c < 0x20) throw Error(Errc::invalid_field, "must not contain control characters", std::string(name));
      return std::string(param.value);
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> query_integer(const RequestContext& context, std::string_view name, std::int64_t min,
                                          std::int64_t max) {
  auto text = query_param(context, name);
  if (!text) return std::nullopt;
  auto value = parse_integer(*text);
  if (!value || *value < min || *value > max)
    throw Error(Errc::invalid_field,
                "must be a whole number between " + std::to_string(min) + " and " + std::to_string(max),
                std::string(name));
  return value;
}

std::int64_t path_id(const RequestContext& context, std::string_view name) {
  auto value = parse_integer(context.param(name));
  if (!value || *value <= 0) throw Error(Errc::not_found, "no such resource");
  return *value;
}

int path_version(const RequestContext& context, std::string_view name, int min) {
  auto value = parse_integer(context.param(name));
  if (!value || *value < min || *value > 1'000'000) throw Error(Errc::not_found, "no such version");
  return static_cast<int>(*value);
}

}  // namespace petitiond::http
