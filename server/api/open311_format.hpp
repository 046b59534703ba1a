#pragma once
// Open311 GeoReport v2 answers in both its formats: JSON, and XML without a namespace whose arrays repeat a
// singular element (<services><service>…</service></services>), the mapping the spec calls Spark's.
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/types.hpp"

namespace petitiond::api {

enum class Open311Format { json, xml };

struct Open311Resource {
  std::string name;  // "requests" of "requests.json", "001" of "001.xml"
  Open311Format format;
};

// A path segment with its format suffix; nullopt without ".json" or ".xml".
std::optional<Open311Resource> open311_resource(std::string_view segment);

// `body` as JSON, or as XML under `root` (for an array: the element that holds its items).
http::Response open311_response(http::Status status, Open311Format format, const boost::json::value& body,
                                std::string_view root);

// The spec's error list: [{"code": …, "description": …}] or <errors><error>…</error></errors>.
http::Response open311_error(http::Status status, Open311Format format, int code, const std::string& description);

std::string xml_document(const boost::json::value& body, std::string_view root);

}  // namespace petitiond::api
