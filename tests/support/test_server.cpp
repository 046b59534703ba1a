#include "tests/support/test_server.hpp"

#include "schemas/embedded.hpp"
#include "server/app/calendars.hpp"
#include "server/app/routing_table.hpp"
#include "server/app/workflow_command.hpp"
#include "server/pg/migrations.hpp"

namespace petitiond::test {

TestClock::TestClock()
    : seconds_(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count()) {}

TestServer::TestServer(const OrgFixture& org, std::vector<std::string> options, std::chrono::seconds clock_ahead)
    : calendars_(app::load_calendars({})), routing_(app::load_routing_table({})) {
  clock_.advance(clock_ahead);
  for (auto& definition : app::load_shipped_workflows()) workflows_.add(std::move(definition));
  std::vector<std::string> args{"--listen", "127.0.0.1:0", "--log-level", "warn", "--data-dir", data_.path().string()};
  args.insert(args.end(), options.begin(), options.end());
  auto parsed = app::parse_config(args, {});
  calendars_ = app::load_calendars(parsed.config->calendar_dir);  // the shipped ones, and any --calendar-dir
  const int schema_version = pg::load_migrations(schemas::migrations()).back().version;
  application_ = std::make_unique<app::Application>(*parsed.config, org.db.url(), schema_version, workflows_,
                                                    calendars_, routing_, [this] { return clock_.now(); });
  port_ = application_->listen().port();
  thread_ = std::thread([this] { application_->run(false); });
  // Telephone events reach this server through LISTEN: wait until it is in effect.
  for (int i = 0; i < 500 && !application_->hears_calls(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

TestServer::~TestServer() {
  application_->request_shutdown();
  thread_.join();
}

}  // namespace petitiond::test
