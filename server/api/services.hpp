#pragma once
// What the API handlers work with, and small helpers they share.
#include <boost/asio/thread_pool.hpp>

#include <filesystem>

#include "notifications/messages.hpp"
#include "server/http/event_hub.hpp"
#include "server/http/types.hpp"
#include "server/store/audit.hpp"
#include "server/store/auth.hpp"
#include "server/store/calls.hpp"
#include "server/store/config_versions.hpp"
#include "server/store/deliveries.hpp"
#include "server/store/petitions.hpp"
#include "server/store/hotline_report.hpp"
#include "server/store/public_requests.hpp"
#include "server/store/sms_replies.hpp"
#include "server/store/inbox.hpp"
#include "server/store/reports.hpp"
#include "server/store/settings.hpp"
#include "server/store/units.hpp"
#include "server/store/users.hpp"
#include "server/store/webhooks.hpp"
#include "server/store/workflow_book.hpp"
#include "core/error.hpp"

namespace petitiond::api {

// The stores hold every SQL statement: handlers read and write through them, never the database directly.
struct Services {
  store::ConfigVersionStore& config_versions;
  store::UnitStore& units;
  store::UserStore& users;
  store::AuthStore& auth;
  boost::asio::thread_pool& workers;  // for password hashing and file writes
  store::PetitionStore& petitions;
  store::ReportStore& reports;
  store::CalendarBook& calendars;
  store::WorkflowBook& workflows;
  store::RoutingBook& routing;
  store::AuditLog& audit;
  store::SettingsStore& settings;
  store::CallStore& calls;
  store::PublicRequestStore& public_requests;
  store::HotlineReportStore& hotline_report;
  store::SmsReplyStore& sms_replies;
  store::InboxStore& inbox;
  store::WebhookStore& webhooks;
  store::DeliveryStore& deliveries;
  pg::ReadPool& reads;  // where reports read, and the standby's state their answers carry
  http::EventHub& events;
  notifications::MessageTemplates& templates;
  std::filesystem::path attachment_dir;
  std::size_t attachment_limit;  // bytes per file
  bool webhooks_allow_private;   // webhooks may target private networks (--webhooks-allow-private)
};

// An audit event about this request, by its actor (if any).
store::AuditEvent audit_event(const http::RequestContext& context, std::string action, std::string target_type = {},
                              std::string target_id = {});

// Sets the setting `key` to `value`, audited as "settings.changed" with `value` under `detail`, in one
// transaction.
boost::asio::awaitable<void> change_setting(Services& services, const http::RequestContext& context, const char* key,
                                            const boost::json::value& value, const char* detail);

// The authenticated actor; routes that call this declare Access requiring authentication.
const Actor& actor_of(const http::RequestContext& context);

http::Response no_content();

}  // namespace petitiond::api
