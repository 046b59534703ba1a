#include "server/app/application.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "server/http/static_files.hpp"

#include "server/api/routes.hpp"
#include "server/app/health_routes.hpp"

namespace petitiond::app {
namespace asio = boost::asio;
namespace {

pg::PoolOptions pool_options(const Config& config, const std::string& url) {
  pg::PoolOptions options;
  options.connect = {url, config.db_connect_timeout, config.db_statement_timeout, "petitiond"};
  options.max_size = config.db_pool_size;
  options.acquire_timeout = config.db_acquire_timeout;
  // The client gives the server's statement_timeout a moment to fire first.
  options.query_timeout = config.db_statement_timeout + std::chrono::seconds(1);
  return options;
}

std::shared_ptr<asio::ssl::context> tls_context(const Config& config) {
  if (config.tls_cert.empty()) return nullptr;
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                       asio::ssl::context::single_dh_use);
  try {
    context->use_certificate_chain_file(config.tls_cert.string());
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("--tls-cert: cannot use " + config.tls_cert.string() + ": " + e.code().message());
  }
  try {
    context->use_private_key_file(config.tls_key.string(), asio::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("--tls-key: cannot use " + config.tls_key.string() + ": " + e.code().message());
  }
  return context;
}

notifications::DispatcherOptions dispatcher_options(const Config& config, store::Clock clock) {
  notifications::DispatcherOptions options;
  options.interval = config.notify_interval;
  options.lease = config.notify_lease;
  options.webhooks_allow_private = config.webhooks_allow_private;
  options.clock = [clock = std::move(clock)] { return std::chrono::system_clock::time_point(clock()); };
  return options;
}

// Messages name states and clocks by their labels, from every workflow version loaded.
notifications::MessageTexts::Labels message_labels(const workflow::WorkflowSet& workflows) {
  notifications::MessageTexts::Labels labels;
  for (const auto* definition : workflows.all()) {
    for (const auto& state : definition->states) labels["state:" + state.name] = {state.label.zh, state.label.en};
    for (const auto& clock : definition->clocks) labels["clock:" + clock.name] = {clock.label.zh, clock.label.en};
  }
  return labels;
}

// The `http.trusted_proxies` setting; an entry that no longer parses is left out (the API refuses to store one).
std::vector<http::IpNetwork> trusted_networks(const std::optional<boost::json::value>& setting) {
  std::vector<http::IpNetwork> out;
  if (!setting || !setting->is_array()) return out;
  for (const auto& entry : setting->as_array()) {
    if (!entry.is_string()) continue;
    try {
      out.push_back(http::parse_network(std::string(entry.as_string())));
    } catch (const std::invalid_argument& e) {
      spdlog::warn("http.trusted_proxies: {}", e.what());
    }
  }
  return out;
}

store::Clock system_clock() {
  return [] { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); };
}

}  // namespace

Application::Application(const Config& config, const std::string& database_url, int schema_version,
                         workflow::WorkflowSet& workflows, const workflow::CalendarSet& calendars,
                         const workflow::RoutingTable& routing, store::Clock clock, const pg::ClusterWatch* cluster)
    : config_(config),
      io_(static_cast<int>(config.threads)),
      pool_(pool_options(config, database_url)),
      reads_(pool_, config.database_read_url.empty() ? std::nullopt
                                                     : std::optional(pool_options(config, config.database_read_url))),
      text_index_(config.search_index_dir),
      calendars_(pool_, calendars),
      config_versions_(pool_),
      workflows_(pool_, workflows),
      routing_(pool_, routing),
      units_(pool_),
      users_(pool_),
      auth_(pool_, {config.session_idle_timeout, config.session_lifetime}, {}),
      petitions_(pool_, workflows, calendars_, routing_, clock ? std::move(clock) : system_clock()),
      reports_(pool_, reads_, [this] { return petitions_.now(); }),
      audit_(pool_),
      settings_(pool_),
      calls_(pool_),
      public_requests_(pool_),
      hotline_report_(reads_),
      sms_replies_(pool_),
      inbox_(pool_),
      webhooks_(pool_),
      deliveries_(pool_),
      templates_(config.message_templates, message_labels(workflows_.set())),
      services_{config_versions_,
                units_,
                users_,
                auth_,
                workers_,
                petitions_,
                reports_,
                calendars_,
                workflows_,
                routing_,
                audit_,
                settings_,
                calls_,
                public_requests_,
                hotline_report_,
                sms_replies_,
                inbox_,
                webhooks_,
                deliveries_,
                reads_,
                events_,
                templates_,
                config.attachment_dir,
                config.attachment_limit,
                config.webhooks_allow_private},
      authenticator_(services_),
      call_listener_(io_, pool_.options().connect, store::call_channel,
                     [this](std::string payload) { return api::push_call_event(services_, std::move(payload)); }),
      scheduler_(io_, pool_.options().connect, petitions_, reports_, config.scheduler_interval),
      index_follower_(io_, pool_, text_index_, config.search_interval),
      dispatcher_(io_, pool_, workers_, templates_, dispatcher_options(config, [this] { return petitions_.now(); })),
      user_event_listener_(io_, pool_.options().connect, notifications::user_event_channel,
                           [this](std::string payload) { return push_user_event(std::move(payload)); }),
      calendar_listener_(io_, pool_.options().connect, store::calendar_channel,
                         [this](std::string) { return calendars_.reload(); }),
      config_listener_(io_, pool_.options().connect, store::config_channel,
                       [this](std::string kind) { return reload_config(std::move(kind)); }),
      signals_(io_) {
  metrics_.add_gauge("petitiond_db_pool_open", "Database connections open or opening.",
                     [this] { return static_cast<double>(pool_.stats().open); });
  metrics_.add_gauge("petitiond_db_pool_in_use", "Database connections lent to requests.",
                     [this] { return static_cast<double>(pool_.stats().in_use); });
  metrics_.add_gauge("petitiond_db_pool_waiting", "Requests waiting for a database connection.",
                     [this] { return static_cast<double>(pool_.stats().waiting); });
  if (cluster) {
    metrics_.add_gauge("petitiond_embedded_postgres_up",
                       "1 while the embedded PostgreSQL answers, 0 while it is restarted.",
                       [cluster] { return cluster->state().up ? 1.0 : 0.0; });
    metrics_.add_gauge("petitiond_embedded_postgres_restarts",
                       "Times the embedded PostgreSQL was started again after it died.",
                       [cluster] { return static_cast<double>(cluster->state().restarts); });
  }
  if (!config.database_read_url.empty()) {
    metrics_.add_gauge("petitiond_standby_up", "1 while the standby of --database-read-url answers and serves reports.",
                       [this] { return reads_.state().up ? 1.0 : 0.0; });
    metrics_.add_gauge("petitiond_standby_lag_seconds",
                       "How far the standby's replay is behind the primary's commits (-1: unknown).",
                       [this] { return reads_.state().lag_seconds.value_or(-1); });
    metrics_.add_gauge("petitiond_standby_fallbacks", "Reports the primary answered because the standby failed them.",
                       [this] { return static_cast<double>(reads_.state().fallbacks); });
  }
  petitions_.use_text_index(&text_index_, &index_follower_);
  metrics_.add_gauge("petitiond_text_index_ready", "1 once the text search index holds every petition.",
                     [this] { return text_index_.ready() ? 1.0 : 0.0; });
  metrics_.add_gauge("petitiond_text_index_documents", "Petitions in this process's text search index.",
                     [this] { return static_cast<double>(text_index_.documents()); });
  metrics_.add_gauge(
      "petitiond_text_index_seconds_since_pass",
      "Since the text index last caught up with the database (-1: not yet, or another process keeps it).",
      [this] { return index_follower_.seconds_since_pass(); });
  // A missing next-year calendar (from 1 November): on /readyz, in /metrics and in the log (CalendarBook).
  auto calendar_warnings = [this] { return calendars_.current()->warnings(workflow::local_date(petitions_.now())); };
  metrics_.add_gauge("petitiond_calendar_next_year_missing",
                     "Working calendars with no official dates for next year yet (counted from 1 November).",
                     [calendar_warnings] { return static_cast<double>(calendar_warnings().size()); });
  add_health_routes(router_, pool_, metrics_, schema_version, {config.attachment_dir, cluster, calendar_warnings});
  api::add_api_routes(router_, services_);
  if (config.web_root) router_.set_fallback(http::static_files(*config.web_root));
  if (auto stored = store::ConfigVersionStore::in_force_blocking(database_url, "templates", "default"))
    templates_.set_stored(notifications::MessageTexts::parse(stored->source, true));
  proxies_.set(trusted_networks(store::SettingsStore::get_blocking(database_url, "http.trusted_proxies")));
  server_ = std::make_unique<http::HttpServer>(io_, config.http, router_, metrics_, &authenticator_,
                                               tls_context(config), &proxies_);
}

Application::~Application() { workers_.join(); }

asio::ip::tcp::endpoint Application::listen() {
  try {
    auto endpoint = server_->listen({asio::ip::make_address(config_.listen_host), config_.listen_port});
    spdlog::info("listening on {}://{}:{}", config_.tls_cert.empty() ? "http" : "https", endpoint.address().to_string(),
                 endpoint.port());
    return endpoint;
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("--listen: cannot listen on " + config_.listen_host + ":" +
                             std::to_string(config_.listen_port) + ": " + e.code().message());
  }
}

// An in-app notification from any process, for the user's streams connected to this one.
asio::awaitable<void> Application::push_user_event(std::string payload) {
  auto message = boost::json::parse(payload).as_object();
  http::ServerEvent event{std::string(message.at("event").as_string()),
                          boost::json::serialize(message.at("data")),
                          RoleSet{},
                          {message.at("user_id").to_number<std::int64_t>()}};
  events_.publish(event);
  co_return;
}

// An admin installed or activated configuration in some process: this one follows.
asio::awaitable<void> Application::reload_config(std::string kind) {
  if (kind == "workflow") {
    co_await workflows_.reload();
    templates_.set_labels(message_labels(workflows_.set()));
  } else if (kind == "templates") {
    co_await api::reload_templates(services_);
  } else if (kind == "routing") {
    co_await routing_.reload();
  } else if (kind == "settings") {
    proxies_.set(trusted_networks(co_await settings_.get("http.trusted_proxies")));
  }
}

void Application::request_shutdown() {
  asio::post(io_, [this] {
    if (server_->stopping()) return;
    spdlog::info("shutting down: no new connections; finishing requests in flight");
    server_->shutdown();
    call_listener_.stop();
    scheduler_.stop();
    index_follower_.stop();
    dispatcher_.stop();
    user_event_listener_.stop();
    calendar_listener_.stop();
    config_listener_.stop();
    events_.close();
    asio::co_spawn(io_, drain(), asio::detached);
  });
}

// Checks the standby every second: reports read it only while it answers.
asio::awaitable<void> Application::watch_standby() {
  asio::steady_timer timer(io_);
  while (!server_->stopping()) {
    co_await reads_.check();
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Waits for open connections to finish (bounded by the shutdown timeout), then stops everything.
asio::awaitable<void> Application::drain() {
  asio::steady_timer timer(io_);
  const auto give_up_at = std::chrono::steady_clock::now() + config_.shutdown_timeout;
  while (server_->open_connections() > 0 && std::chrono::steady_clock::now() < give_up_at) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (auto left = server_->open_connections())
    spdlog::warn("{} connection(s) still busy after the shutdown timeout; closing them", left);
  reads_.close();
  pool_.close();
  io_.stop();
}

void Application::run(bool handle_signals) {
  server_->start();
  call_listener_.start();
  scheduler_.start();
  index_follower_.start();
  dispatcher_.start();
  user_event_listener_.start();
  calendar_listener_.start();
  config_listener_.start();
  if (!config_.database_read_url.empty()) asio::co_spawn(io_, watch_standby(), asio::detached);
  if (handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      spdlog::info("received {}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      request_shutdown();
    });
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < config_.threads; ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads) thread.join();
}

}  // namespace petitiond::app
