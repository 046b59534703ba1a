#include "server/api/open311_format.hpp"

#include <boost/json/serialize.hpp>

#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {

// The element each array's items take, by the array's own name.
std::string_view item_name(std::string_view array) {
  if (array == "services") return "service";
  if (array == "attributes") return "attribute";
  if (array == "values") return "value";
  if (array == "service_requests") return "request";
  if (array == "errors") return "error";
  if (array == "endpoints") return "endpoint";
  if (array == "formats") return "format";
  return "item";
}

void escape_into(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);  // XML 1.0 has no others
    }
  }
}

void element(std::string& out, std::string_view name, const json::value& value) {
  out += '<';
  out += name;
  out += '>';
  if (value.is_object()) {
    for (const auto& [key, member] : value.as_object()) element(out, key, member);
  } else if (value.is_array()) {
    for (const auto& item : value.as_array()) element(out, item_name(name), item);
  } else if (value.is_string()) {
    escape_into(out, value.as_string());
  } else if (!value.is_null()) {
    out += json::serialize(value);  // numbers, true, false
  }
  out += "</";
  out += name;
  out += '>';
}

}  // namespace

std::optional<Open311Resource> open311_resource(std::string_view segment) {
  for (auto [suffix, format] : {std::pair{std::string_view(".json"), Open311Format::json},
                                std::pair{std::string_view(".xml"), Open311Format::xml}})
    if (segment.size() > suffix.size() && segment.ends_with(suffix))
      return Open311Resource{std::string(segment.substr(0, segment.size() - suffix.size())), format};
  return std::nullopt;
}

std::string xml_document(const json::value& body, std::string_view root) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
  element(out, root, body);
  return out;
}

http::Response open311_response(http::Status status, Open311Format format, const json::value& body,
                                std::string_view root) {
  if (format == Open311Format::json) return http::json_response(status, body);
  return http::text_response(status, xml_document(body, root), "text/xml; charset=utf-8");
}

http::Response open311_error(http::Status status, Open311Format format, int code, const std::string& description) {
  const json::array errors{json::object{{"code", code}, {"description", description}}};
  return open311_response(status, format, errors, "errors");
}

}  // namespace petitiond::api
