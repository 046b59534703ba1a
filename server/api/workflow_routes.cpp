// The workflow in force, for the web app's graph and forms: states, transitions (who may take them, what
// they require, whom they tell), deadline clocks, and the escalation rules, as the definition file says.
#include <boost/json/value_from.hpp>

#include "server/api/routes.hpp"
#include "server/api/petition_views.hpp"
#include "server/http/response.hpp"

namespace petitiond::api {
namespace json = boost::json;
using boost::asio::awaitable;
using http::RequestContext;
using http::Response;

namespace {

awaitable<Response> workflow_view(Services& services, RequestContext&) {
  const auto& d = services.petitions.newest();
  json::array states, transitions, clocks, escalations;
  for (const auto& s : d.states)
    states.push_back(json::object{
        {"name", s.name}, {"label", label_view(s.label)}, {"initial", s.initial}, {"terminal", s.terminal}});
  for (const auto& t : d.transitions)
    transitions.push_back(json::object{{"name", t.name},
                                       {"label", label_view(t.label)},
                                       {"from", json::value_from(t.from)},
                                       {"to", t.to},
                                       {"roles", json::value_from(t.roles)},
                                       {"requires", json::value_from(t.required_fields)},
                                       {"notify", json::value_from(t.notify)}});
  for (const auto& c : d.clocks)
    clocks.push_back(json::object{{"name", c.name},
                                  {"label", label_view(c.label)},
                                  {"start_on", json::value_from(c.start_on)},
                                  {"stop_on", json::value_from(c.stop_on)},
                                  {"warn_at", json::value_from(c.warn_at)},
                                  {"window", c.window}});
  for (const auto& e : d.escalations) {
    json::array actions;
    for (const auto& [action, target] : e.actions)
      actions.push_back(json::array{json::string(action), json::string(target)});
    const char* when = e.when == workflow::EscalationRule::When::warning  ? "warning"
                       : e.when == workflow::EscalationRule::When::breach ? "breach"
                                                                          : "after_breach";
    escalations.push_back(json::object{{"clock", e.clock},
                                       {"when", when},
                                       {"percent", e.percent},
                                       {"levels", json::value_from(e.levels)},
                                       {"actions", std::move(actions)}});
  }
  co_return http::json_response(http::Status::ok, {{"workflow", d.workflow},
                                                   {"version", d.version},
                                                   {"states", std::move(states)},
                                                   {"transitions", std::move(transitions)},
                                                   {"clocks", std::move(clocks)},
                                                   {"escalations", std::move(escalations)}});
}

}  // namespace

void add_workflow_routes(http::Router& router, Services& services) {
  router.add(http::Verb::get, "/api/v1/workflow", http::Access::users(),
             [&services](RequestContext& c) { return workflow_view(services, c); });
}

}  // namespace petitiond::api
