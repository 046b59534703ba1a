#pragma once
#include "server/api/services.hpp"
#include "server/http/router.hpp"

namespace petitiond::api {

// Every /api/v1 route of this module.
void add_auth_routes(http::Router& router, Services& services);
void add_unit_routes(http::Router& router, Services& services);
void add_user_routes(http::Router& router, Services& services);
void add_token_routes(http::Router& router, Services& services);
void add_audit_routes(http::Router& router, Services& services);
void add_petition_routes(http::Router& router, Services& services);
void add_attachment_routes(http::Router& router, Services& services);
void add_portal_routes(http::Router& router, Services& services);
void add_cti_routes(http::Router& router, Services& services);
void add_call_routes(http::Router& router, Services& services);
// SMS replies from the gateway, and those left for operators to read.
void add_sms_routes(http::Router& router, Services& services);
void add_inbox_routes(http::Router& router, Services& services);
// Open311 GeoReport v2 under /open311/v2/.
void add_open311_routes(http::Router& router, Services& services);
void add_report_routes(http::Router& router, Services& services);
void add_hotline_report_routes(http::Router& router, Services& services);
void add_notification_routes(http::Router& router, Services& services);
void add_template_routes(http::Router& router, Services& services);
void add_webhook_routes(http::Router& router, Services& services);
void add_preference_routes(http::Router& router, Services& services);
void add_workflow_routes(http::Router& router, Services& services);
void add_routing_routes(http::Router& router, Services& services);
void add_calendar_routes(http::Router& router, Services& services);
void add_settings_routes(http::Router& router, Services& services);
void add_configuration_routes(http::Router& router, Services& services);

// The message texts an admin saved in the app (the version in force) into services.templates; every process
// calls it on start and when an admin saves or activates a version.
boost::asio::awaitable<void> reload_templates(Services& services);

// Telephone events travel between petitiond processes on store::call_channel; each process pushes them
// to the operators connected to it (server-sent events).
boost::asio::awaitable<void> push_call_event(Services& services, std::string payload);

inline void add_api_routes(http::Router& router, Services& services) {
  add_auth_routes(router, services);
  add_unit_routes(router, services);
  add_user_routes(router, services);
  add_token_routes(router, services);
  add_audit_routes(router, services);
  add_petition_routes(router, services);
  add_attachment_routes(router, services);
  add_portal_routes(router, services);
  add_cti_routes(router, services);
  add_call_routes(router, services);
  add_sms_routes(router, services);
  add_inbox_routes(router, services);
  add_open311_routes(router, services);
  add_report_routes(router, services);
  add_hotline_report_routes(router, services);
  add_notification_routes(router, services);
  add_template_routes(router, services);
  add_webhook_routes(router, services);
  add_preference_routes(router, services);
  add_workflow_routes(router, services);
  add_routing_routes(router, services);
  add_calendar_routes(router, services);
  add_settings_routes(router, services);
  add_configuration_routes(router, services);
}

}  // namespace petitiond::api
