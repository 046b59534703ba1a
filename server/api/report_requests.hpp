#pragma once
// What every report route reads from its request (the period, the scope, the language, the file format) and
// how it answers with a file.
#include <optional>
#include <string>

#include "server/api/report_export.hpp"
#include "server/api/services.hpp"

namespace petitiond::api {

// The period (default: this month so far), the scope unit and a level, category or channel filter.
store::ReportQuery report_query(const http::RequestContext& context, workflow::Instant now);

// ?lang=en: headers and labels in English.
bool english(const http::RequestContext& context);

// ?format=csv or xlsx; nullopt for JSON.
std::optional<std::string> export_format(const http::RequestContext& context);

// Where a report was read: {"database": "standby" | "primary", "standby_lag_seconds": n | null}, after the
// reads (a standby that failed them leaves them to the primary).
boost::json::object data_source(const Services& services);

// The table as a CSV or XLSX attachment named `name`.`format` (the workbook is built on a worker thread).
boost::asio::awaitable<http::Response> file_response(Services& services, Table table, const std::string& format,
                                                     const std::string& name);

}  // namespace petitiond::api
