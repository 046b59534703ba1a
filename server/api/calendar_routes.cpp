// The working calendars in force, for the admin pages: each one's working hours, official rest days and
// make-up working days (调休) by year, and the units that name it. Calendars are files (shipped, plus the
// calendar directory where next year's official dates are dropped), read when the server starts.
#include <boost/json/value_from.hpp>

#include "server/api/routes.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

std::string clock_text(std::chrono::minutes since_midnight) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(since_midnight.count() / 60),
                static_cast<int>(since_midnight.count() % 60));
  return text;
}

json::array dates(const std::set<workflow::Date>& days) {
  json::array out;
  for (auto day : days) out.emplace_back(workflow::format_date(day));
  return out;
}

awaitable<Response> list_calendars(Services& services, RequestContext&) {
  auto named = co_await services.pool.run_one(pg::Statement(
      "SELECT calendar, array_agg(code ORDER BY path) FROM units WHERE calendar IS NOT NULL GROUP BY calendar"));
  std::map<std::string, std::vector<std::string>> units;
  for (int row = 0; row < named.rows(); ++row) units[std::string(named.text(row, 0))] = named.words(row, 1);
  json::array calendars;
  for (const auto& [name, calendar] : services.calendars.all()) {
    json::array hours;
    for (const auto& slot : calendar.slots()) hours.emplace_back(clock_text(slot.start) + "-" + clock_text(slot.end));
    std::set<int> years;
    for (const auto* days : {&calendar.rest_days(), &calendar.working_days()})
      for (auto day : *days) years.insert(static_cast<int>(std::chrono::year_month_day(day).year()));
    auto it = units.find(name);
    calendars.push_back(json::object{{"name", name},
                                     {"default", name == services.calendars.default_name()},
                                     {"working_hours", std::move(hours)},
                                     {"years", json::value_from(years)},
                                     {"rest_days", dates(calendar.rest_days())},
                                     {"working_days", dates(calendar.working_days())},
                                     {"units", json::value_from(it == units.end() ? std::vector<std::string>() : it->second)}});
  }
  co_return http::json_response(http::Status::ok, {{"calendars", std::move(calendars)}});
}

}  // namespace

void add_calendar_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/calendars", http::Access::users(),
             [&services](RequestContext& c) { return list_calendars(services, c); });
}

}  // namespace petitiond::api
