#pragma once
// The application in-process on a free port, over an OrgFixture database, with a clock the test moves.
#include <atomic>
#include <memory>
#include <thread>

#include "server/app/application.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_database.hpp"

namespace petitiond::test {

class TestClock {
 public:
  TestClock();  // starts at the real time
  workflow::Instant now() const { return workflow::Instant(std::chrono::seconds(seconds_.load())); }
  void set(workflow::Instant instant) { seconds_ = instant.time_since_epoch().count(); }
  void advance(std::chrono::seconds by) { seconds_ += by.count(); }

 private:
  std::atomic<std::int64_t> seconds_;
};

class TestServer {
 public:
  // Extra command-line options are appended to --listen and --data-dir; the clock starts `clock_ahead`
  // past the real time (a server started later, say).
  explicit TestServer(const OrgFixture& org, std::vector<std::string> options = {},
                      std::chrono::seconds clock_ahead = std::chrono::seconds(0));
  ~TestServer();

  unsigned short port() const { return port_; }
  const app::Application& application() const { return *application_; }
  const std::filesystem::path& data_dir() const { return data_.path(); }
  TestClock& clock() { return clock_; }

 private:
  ScratchDir data_{"petitiond-server"};
  TestClock clock_;
  workflow::WorkflowSet workflows_;
  workflow::CalendarSet calendars_;
  workflow::RoutingTable routing_;
  std::unique_ptr<app::Application> application_;
  unsigned short port_ = 0;
  std::thread thread_;
};

}  // namespace petitiond::test
