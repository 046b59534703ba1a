// --database-read-url (docs/operations.md): reports, drill-downs and exports read a streaming standby, say so
// with its lag in their answers and on /metrics, and fall back to the primary while it is down.
#include <signal.h>

#include <catch2/catch.hpp>
#include <boost/json/parse.hpp>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "server/pg/process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// A streaming standby of the embedded cluster under `primary_data_dir`, made by pg_basebackup and run by
// pg_ctl on its own socket; stopped (immediately, as a crash) on request or at the end.
class Standby {
 public:
  Standby(const fs::path& primary_data_dir, const fs::path& dir)
      : bin_(pg::find_postgres_bin_dir({})),
        data_(dir / "data"),
        run_(dir / "run"),
        log_(dir / "standby.log"),
        account_(pg::postgres_account_if_root()) {
    fs::create_directories(run_);
    fs::permissions(dir, fs::perms::owner_all);
    fs::permissions(run_, fs::perms::owner_all);
    own(dir);
    own(run_);
    const auto primary_socket = (fs::absolute(primary_data_dir) / "postgres" / "run").string();
    REQUIRE(tool({(bin_ / "pg_basebackup").string(), "-h", primary_socket, "-p", "5432", "-U", "petitiond", "-D",
                  data_.string(), "--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast"}) == 0);
    start();
  }
  ~Standby() { stop(); }

  void start() {
    const auto options = "-c listen_addresses='' -c port=5432 -c unix_socket_directories='" + run_.string() +
                         "' -c unix_socket_permissions=0700";
    REQUIRE(tool({(bin_ / "pg_ctl").string(), "start", "-D", data_.string(), "-w", "-l", log_.string(), "-o",
                  options}) == 0);
    running_ = true;
  }
  void stop() {
    if (!running_) return;
    tool({(bin_ / "pg_ctl").string(), "stop", "-D", data_.string(), "-m", "immediate", "-w"});
    running_ = false;
  }
  std::string url() const { return "postgresql://petitiond@/petitiond?host=" + run_.string() + "&port=5432"; }

 private:
  int tool(const std::vector<std::string>& argv) {
    return pg::run_process(argv, {account_, data_.parent_path(), log_});
  }
  void own(const fs::path& path) {
    if (account_) REQUIRE(::chown(path.c_str(), account_->uid, account_->gid) == 0);
  }

  fs::path bin_, data_, run_, log_;
  std::optional<pg::Account> account_;
  bool running_ = false;
};

json::object summary(const Session& manager) {
  auto reply = manager.get("/api/v1/reports/summary");
  REQUIRE(reply.status == 200);
  return json::parse(reply.body).as_object();
}

std::string database_of(const json::object& report) {
  return std::string(report.at("source").at("database").as_string());
}

}  // namespace

TEST_CASE("reports read the standby, carry its lag, and fall back to the primary while it is down") {
  ScratchDir dir;
  const auto data = dir.path() / "primary";
  {
    PetitiondProcess first({"--data-dir", data.string(), "--demo", "--demo-days", "0"});  // the primary, with users
    REQUIRE(first.stop(SIGTERM) == 0);
  }
  // The standby needs a running primary to copy: the cluster is started for it, then handed to petitiond.
  pg::EmbeddedCluster primary(pg::ClusterOptions{data, {}});
  primary.start();
  Standby standby(data, dir.path() / "standby");
  primary.stop();

  PetitiondProcess server({"--data-dir", data.string(), "--database-read-url", standby.url()});
  Session operator_(server.port(), "hotline1", "12385-demo");
  Session manager(server.port(), "district.manager", "12385-demo");
  REQUIRE(eventually([&] { return metric(server.port(), "petitiond_standby_up") == 1; }, 20s));

  const auto before = summary(manager).at("total").at("received").as_int64();
  REQUIRE(
      operator_
          .send("POST", "/api/v1/petitions",
                R"({"channel":"hotline","type":"help","category":"other","subject":"备库报表测试","content":"测试。",)"
                R"("petitioner":{"name":"张三","phone":"13812345678","unit":"QS-T01-V01"}})")
          .status == 201);
  // The figure reaches the standby's report once folded on the primary and replayed there.
  REQUIRE(eventually([&] { return summary(manager).at("total").at("received").as_int64() == before + 1; }, 20s));
  auto report = summary(manager);
  CHECK(database_of(report) == "standby");
  CHECK(report.at("source").at("standby_lag_seconds").is_number());
  CHECK(metric(server.port(), "petitiond_standby_lag_seconds") >= 0);
  auto trend = json::parse(manager.get("/api/v1/reports/trend").body).as_object();
  CHECK(database_of(trend) == "standby");
  CHECK(manager.get("/api/v1/reports/summary?format=xlsx").status == 200);

  // The standby goes down: the next reports are answered by the primary, never an error.
  standby.stop();
  for (int i = 0; i < 5; ++i) {
    auto during = summary(manager);
    CHECK(during.at("total").at("received").as_int64() == before + 1);
  }
  CHECK(database_of(summary(manager)) == "primary");
  CHECK(eventually([&] { return metric(server.port(), "petitiond_standby_up") == 0; }, 5s));
  CHECK(manager.get("/api/v1/reports/petitions?measure=received").status == 200);

  // Back up: reports read it again.
  standby.start();
  CHECK(eventually([&] { return database_of(summary(manager)) == "standby"; }, 20s));
}
