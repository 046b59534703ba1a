#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "schemas/embedded.hpp"
#include "server/pg/blocking_connection.hpp"
#include "server/pg/migrations.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/petitiond_process.hpp"
#include "tests/support/test_database.hpp"

using namespace petitiond;
using namespace petitiond::test;
using Catch::Matchers::Contains;

namespace {

CommandResult cli(const TestDatabase& db, std::vector<std::string> args, const std::string& input = {}) {
  args.push_back("--database-url");
  args.push_back(db.url());
  args.push_back("--log-level");
  args.push_back("warn");
  return run_petitiond(args, {}, std::chrono::seconds(60), input);
}

std::string printed_password(const std::string& output) {
  std::smatch match;
  REQUIRE(std::regex_search(output, match, std::regex("password: (\\S+)")));
  return match[1];
}

}  // namespace

TEST_CASE("units import from YAML and CSV, update by code, and export back") {
  TestDatabase db;
  ScratchDir dir;
  auto yaml = dir.path() / "tree.yaml";
  std::ofstream(yaml)
      << "units:\n  - code: D\n    name: 测试区\n  - code: D-MZ\n    name: 民政局\n    kind: department\n"
         "    parent: D\n  - code: T1\n    name: 一镇\n    parent: D\n";
  auto imported = cli(db, {"units", "import", yaml.string()});
  CHECK(imported.exit_code == 0);
  CHECK_THAT(imported.output, Contains("imported 3 units"));

  auto csv = dir.path() / "more.csv";
  std::ofstream(csv)
      << "code,name,kind,parent,phone,active\nT1,一镇（改名）,area,D,028-1,true\nV1,\"一村, 东\",area,T1,,true\n";
  auto updated = cli(db, {"units", "import", csv.string()});
  CHECK(updated.exit_code == 0);
  CHECK_THAT(updated.output, Contains("imported 2 units") && Contains("2 created or changed"));
  auto again = cli(db, {"units", "import", csv.string()});
  CHECK_THAT(again.output, Contains("0 created or changed"));  // idempotent

  auto exported = cli(db, {"units", "export", "--format", "csv"});
  CHECK(exported.exit_code == 0);
  CHECK_THAT(exported.output,
             Contains("T1,一镇（改名）,area,D,028-1,,true") && Contains("V1,\"一村, 东\",area,T1,,,true"));
  auto as_yaml = cli(db, {"units", "export"});
  CHECK_THAT(as_yaml.output, Contains("code: V1") && Contains("parent: T1"));

  auto round_trip = dir.path() / "round.yaml";
  std::ofstream(round_trip) << as_yaml.output;
  CHECK_THAT(cli(db, {"units", "import", round_trip.string()}).output, Contains("0 created or changed"));

  auto broken = dir.path() / "broken.csv";
  std::ofstream(broken) << "code,name,parent\nV9,九村,NOWHERE\n";
  auto refused = cli(db, {"units", "import", broken.string()});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output, Contains("NOWHERE"));
  CHECK(pg::BlockingConnection(db.url())
            .exec("SELECT count(*) FROM audit_log WHERE action = 'units.imported'")
            .integer(0, 0) == 4);
}

TEST_CASE("user add, disable and reset-password manage accounts from the command line") {
  TestDatabase db;
  ScratchDir dir;
  auto yaml = dir.path() / "tree.yaml";
  std::ofstream(yaml) << "units:\n  - code: D\n    name: 测试区\n";
  REQUIRE(cli(db, {"units", "import", yaml.string()}).exit_code == 0);

  auto added = cli(db, {"user", "add", "wang.fang", "--name", "王芳", "--unit", "D", "--role", "operator", "--role",
                        "manager", "--phone", "13812345678"});
  REQUIRE(added.exit_code == 0);
  auto password = printed_password(added.output);
  auto chosen =
      cli(db, {"user", "add", "li.ming", "--name", "李明", "--unit", "D", "--role", "admin", "--password-stdin"},
          "chosen-password-1\n");
  CHECK(chosen.exit_code == 0);
  CHECK_THAT(chosen.output, !Contains("password:"));

  CHECK_THAT(cli(db, {"user", "add", "Bad Name", "--name", "x", "--unit", "D", "--role", "admin"}).output,
             Contains("LOGIN"));
  CHECK_THAT(cli(db, {"user", "add", "x1", "--name", "x", "--unit", "NOPE", "--role", "admin"}).output,
             Contains("unit"));
  CHECK_THAT(cli(db, {"user", "add", "x2", "--name", "x", "--unit", "D", "--role", "root"}).output, Contains("root"));
  CHECK(cli(db, {"user", "add", "wang.fang", "--name", "又一个", "--unit", "D", "--role", "admin"}).exit_code == 2);
  CHECK(cli(db, {"user", "disable", "nobody"}).exit_code == 3);

  PetitiondProcess server({"--database-url", db.url()});
  CHECK(login(server.port(), "wang.fang", password).status == 200);
  CHECK(login(server.port(), "li.ming", "chosen-password-1").status == 200);

  auto reset = cli(db, {"user", "reset-password", "wang.fang"});
  CHECK(reset.exit_code == 0);
  auto new_password = printed_password(reset.output);
  CHECK(login(server.port(), "wang.fang", password).status == 401);
  Session session(server.port(), "wang.fang", new_password);

  CHECK(cli(db, {"user", "disable", "wang.fang"}).exit_code == 0);
  CHECK(session.get("/api/v1/auth/session").status == 401);  // sessions ended
  CHECK(login(server.port(), "wang.fang", new_password).status == 401);
  auto actions = pg::BlockingConnection(db.url()).exec(
      "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE actor_login LIKE 'cli:%' AND action LIKE "
      "'user.%'");
  CHECK(actions.text(0, 0) == "user.created,user.created,user.password_reset,user.disabled");
}

TEST_CASE("workflow check validates a definition file without a database") {
  ScratchDir dir;
  auto good =
      run_petitiond({"workflow", "check", std::string(PETITIOND_SOURCE_DIR) + "/schemas/workflows/petition-v1.yaml"});
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.output, Contains("ok: workflow petition version 1"));
  auto file = dir.path() / "broken.yaml";
  std::ofstream(file) << "workflow: x\nversion: 1\nstates:\n  - name: a\n    initial: true\ntransitions:\n"
                         "  - name: go\n    from: [a]\n    to: b\n    roles: [handler]\n";
  auto bad = run_petitiond({"workflow", "check", file.string()});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains(file.string() + ":7: transition 'go' goes to unknown state 'b'"));
  CHECK_THAT(bad.output, !Contains("ok:"));
  CHECK(run_petitiond({"workflow", "check", "/nonexistent.yaml"}).exit_code == 2);
}
