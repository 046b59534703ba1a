// The working calendars in force, for the admin pages: each one's working hours, official rest days and
// make-up working days (调休) by year, and the units that name it. Calendars are files (shipped, plus the
// calendar directory where next year's official dates are dropped), read when the server starts; an admin
// may set a year's dates here instead (store::CalendarBook), and running deadlines follow.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value_from.hpp>

#include <charconv>

#include "server/api/routes.hpp"
#include "server/http/json_input.hpp"
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

json::object calendar_view(const std::string& name, const workflow::Calendar& calendar, bool is_default,
                           const std::vector<std::string>& units, const std::vector<store::EditedYear>& edited) {
  json::array hours;
  for (const auto& slot : calendar.slots()) hours.emplace_back(clock_text(slot.start) + "-" + clock_text(slot.end));
  std::set<int> years;
  for (const auto* days : {&calendar.rest_days(), &calendar.working_days()})
    for (auto day : *days) years.insert(static_cast<int>(std::chrono::year_month_day(day).year()));
  json::array edited_years;
  for (const auto& year : edited) {
    if (year.calendar != name) continue;
    years.insert(year.year);
    edited_years.push_back(
        json::object{{"year", year.year},
                     {"changed_at", year.changed_at},
                     {"changed_by", year.changed_by},
                     {"recomputed", year.recomputed},
                     {"recomputed_petitions",
                      year.recomputed_petitions ? json::value(*year.recomputed_petitions) : json::value(nullptr)}});
  }
  return json::object{{"name", name},
                      {"default", is_default},
                      {"working_hours", std::move(hours)},
                      {"years", json::value_from(years)},
                      {"rest_days", dates(calendar.rest_days())},
                      {"working_days", dates(calendar.working_days())},
                      {"units", json::value_from(units)},
                      {"edited_years", std::move(edited_years)},
                      {"last_published_year", calendar.last_published_year()}};
}

awaitable<Response> list_calendars(Services& services, RequestContext&) {
  auto units = co_await services.units.codes_by_calendar();
  auto edited = co_await services.calendars.edited_years();
  const auto set = services.calendars.current();
  json::array calendars;
  for (const auto& [name, calendar] : set->all())
    calendars.push_back(calendar_view(name, calendar, name == set->default_name(), units[name], edited));
  // From 1 November, a calendar without next year's official dates: the admin page shows why.
  json::array warnings;
  for (const auto& warning : set->warnings(workflow::local_date(services.petitions.now())))
    warnings.emplace_back(warning);
  co_return http::json_response(http::Status::ok,
                                {{"calendars", std::move(calendars)}, {"warnings", std::move(warnings)}});
}

std::vector<std::string> date_items(const json::object& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || !it->value().is_array())
    throw Error(Errc::invalid_field, "must be a list of dates (YYYY-MM-DD) or ranges (first..last); [] for none", key);
  const auto& items = it->value().as_array();
  if (items.size() > 366) throw Error(Errc::invalid_field, "must have at most 366 items", key);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string() || items[i].as_string().size() > 32)
      throw Error(Errc::invalid_field, "must be a date (YYYY-MM-DD) or a range (first..last)",
                  std::string(key) + "[" + std::to_string(i) + "]");
    out.emplace_back(items[i].as_string());
  }
  return out;
}

// How long a change waits for the running deadlines to be recomputed (by this process, or by the one that
// claimed the work first) before it answers without the count.
constexpr auto recompute_wait = std::chrono::seconds(60);

// The number of petitions whose deadline the change of `revision` moved, once recomputed.
awaitable<std::optional<int>> recomputed_petitions(Services& services, const std::string& name, int year,
                                                   std::int64_t revision) {
  if (auto moved = co_await services.petitions.recompute_deadlines()) co_return moved;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  const auto give_up_at = std::chrono::steady_clock::now() + recompute_wait;
  while (std::chrono::steady_clock::now() < give_up_at) {
    if (auto moved = co_await services.calendars.recomputed_petitions(name, year, revision)) co_return moved;
    timer.expires_after(std::chrono::milliseconds(200));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  co_return std::nullopt;
}

// {"rest_days": ["2027-01-01..2027-01-03", …], "working_days": ["2027-02-07", …]}: the year's official dates
// in place of the calendar files' for that year. Running deadlines are recomputed before the answer.
awaitable<Response> put_calendar_year(Services& services, RequestContext& context) {
  const std::string name(context.param("calendar"));
  if (!services.calendars.current()->contains(name)) throw Error(Errc::not_found, "no such calendar");
  const std::string year_text(context.param("year"));
  int year_number = 0;
  auto [end, ec] = std::from_chars(year_text.data(), year_text.data() + year_text.size(), year_number);
  if (ec != std::errc() || end != year_text.data() + year_text.size())
    throw Error(Errc::invalid_field, "must be a year, e.g. 2027", "year");
  auto body = http::json_object_body(context.request);
  for (const auto& field : body)
    if (field.key() != "rest_days" && field.key() != "working_days")
      throw Error(Errc::invalid_field, "unknown field", std::string(field.key()));
  const auto rest = date_items(body, "rest_days");
  const auto working = date_items(body, "working_days");
  auto read = workflow::read_calendar_year(year_number, rest, working);
  if (auto* problem = std::get_if<workflow::CalendarYearProblem>(&read))
    throw Error(Errc::invalid_field, problem->message, problem->field);
  const auto& year = std::get<workflow::CalendarYear>(read);

  auto audit = audit_event(context, "calendar.changed", "calendar", name + "/" + year_text);
  audit.details["rest_days"] = json::value_from(rest);
  audit.details["working_days"] = json::value_from(working);
  const auto& actor = actor_of(context);
  const auto by = actor.display_name.empty() ? actor.login : actor.display_name;
  const auto now = services.petitions.now();
  const auto revision = co_await services.calendars.set_year(name, year, by, now, std::move(audit));
  const auto moved = co_await recomputed_petitions(services, name, year_number, revision);

  auto units = co_await services.units.codes_by_calendar();
  auto edited = co_await services.calendars.edited_years();
  const auto set = services.calendars.current();
  auto view = calendar_view(name, set->all().at(name), name == set->default_name(), units[name], edited);
  co_return http::json_response(
      http::Status::ok,
      {{"calendar", std::move(view)}, {"recomputed_petitions", moved ? json::value(*moved) : json::value(nullptr)}});
}

}  // namespace

void add_calendar_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/calendars", http::Access::users(),
             [&services](RequestContext& c) { return list_calendars(services, c); });
  router.add(http::Verb::put, "/api/v1/calendars/{calendar}/years/{year}", http::Access::only({Role::admin}),
             [&services](RequestContext& c) { return put_calendar_year(services, c); });
}

}  // namespace petitiond::api
