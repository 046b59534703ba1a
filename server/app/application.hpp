#pragma once
// One running petitiond: database pool, stores, routes and the HTTP server, wired together.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "server/api/authenticator.hpp"
#include "server/api/services.hpp"
#include "server/app/config.hpp"
#include "notifications/dispatcher.hpp"
#include "server/app/deadline_scheduler.hpp"
#include "server/app/notification_listener.hpp"
#include "server/http/http_server.hpp"
#include "server/pg/cluster_watch.hpp"
#include "server/pg/read_pool.hpp"
#include "server/search/index_follower.hpp"
#include "server/search/text_index.hpp"

namespace petitiond::app {

class Application {
 public:
  // The workflows (the shipped ones; the application adds those installed by admins) and the routing table
  // must outlive the application; `calendars` are those of the files.
  // `cluster` watches the embedded PostgreSQL when this process runs one (its state goes to /readyz).
  Application(const Config& config, const std::string& database_url, int schema_version,
              workflow::WorkflowSet& workflows, const workflow::CalendarSet& calendars,
              const workflow::RoutingTable& routing, store::Clock clock = nullptr,
              const pg::ClusterWatch* cluster = nullptr);
  ~Application();

  // Binds the configured address; throws with a message naming --listen.
  boost::asio::ip::tcp::endpoint listen();
  // Serves until a shutdown (SIGTERM/SIGINT, or request_shutdown) has drained; returns then.
  void run(bool handle_signals = true);
  // Starts a graceful shutdown; callable from any thread.
  void request_shutdown();

  const http::Router& router() const { return router_; }
  // True once this process receives telephone events from every process (LISTEN in effect).
  bool hears_calls() const { return call_listener_.listening(); }
  // True once this process follows the configuration other processes install (LISTEN in effect).
  bool hears_config() const { return config_listener_.listening(); }

 private:
  boost::asio::awaitable<void> drain();
  boost::asio::awaitable<void> push_user_event(std::string payload);
  boost::asio::awaitable<void> reload_config(std::string kind);
  boost::asio::awaitable<void> watch_standby();

  Config config_;
  boost::asio::io_context io_;
  boost::asio::thread_pool workers_{2};
  pg::Pool pool_;
  pg::ReadPool reads_;  // reports: the standby of --database-read-url, else pool_
  search::TextIndex text_index_;
  store::CalendarBook calendars_;
  store::ConfigVersionStore config_versions_;
  store::WorkflowBook workflows_;
  store::RoutingBook routing_;
  store::UnitStore units_;
  store::UserStore users_;
  store::AuthStore auth_;
  store::PetitionStore petitions_;
  store::ReportStore reports_;
  store::AuditLog audit_;
  store::SettingsStore settings_;
  store::CallStore calls_;
  store::PublicRequestStore public_requests_;
  store::HotlineReportStore hotline_report_;
  store::SmsReplyStore sms_replies_;
  store::InboxStore inbox_;
  store::WebhookStore webhooks_;
  store::DeliveryStore deliveries_;
  http::EventHub events_;
  notifications::MessageTemplates templates_;
  api::Services services_;
  api::StoreAuthenticator authenticator_;
  http::TrustedProxies proxies_;
  http::Metrics metrics_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
  NotificationListener call_listener_;
  DeadlineScheduler scheduler_;
  search::IndexFollower index_follower_;
  notifications::Dispatcher dispatcher_;
  NotificationListener user_event_listener_;
  NotificationListener calendar_listener_;
  NotificationListener config_listener_;
  boost::asio::signal_set signals_;
};

}  // namespace petitiond::app
