// Attachment storage that fails: a full disk answers 507, a read-only one 503, each with a plain message (the
// OS reason goes to the log), no temporary file left behind and nothing recorded; /readyz says so. The
// attachment directory is a small tmpfs the test mounts (the tests run as root, as the README says).
#include <sys/mount.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>

#include "server/pg/blocking_connection.hpp"
#include "tests/support/db_helpers.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/test_server.hpp"

using namespace petitiond;
using namespace petitiond::test;
namespace fs = std::filesystem;

namespace {

class SmallDisk {
 public:
  SmallDisk(fs::path at, const std::string& size) : at_(std::move(at)) {
    fs::create_directories(at_);
    mounted_ = ::mount("tmpfs", at_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool make_read_only() { return ::mount("tmpfs", at_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0; }

 private:
  fs::path at_;
  bool mounted_ = false;
};

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) ++n;
  return n;
}

}  // namespace

TEST_CASE("a full or read-only attachment disk is answered clearly, leaves nothing behind and shows on /readyz") {
  OrgFixture org;
  ScratchDir scratch("attachments-disk");
  const auto dir = scratch.path() / "attachments";
  SmallDisk disk(dir, "256k");
  REQUIRE(disk.mounted());
  TestServer server(org, {"--attachment-dir", dir.string()});
  Session op(server.port(), "operator", fixture_password);
  auto filed = op.send("POST", "/api/v1/petitions",
                       R"({"channel":"hotline","type":"help","category":"other","subject":"材料","content":"附件。",)"
                       R"("petitioner":{"name":"孙八","phone":"13912340099"}})");
  REQUIRE(filed.status == 201);
  const auto base =
      "/api/v1/petitions/" + std::to_string(filed.json().at("id").to_number<std::int64_t>()) + "/attachments";
  pg::BlockingConnection db(org.db.url());

  // Full: a scan larger than the disk.
  std::string scan = "%PDF-1.4\n" + std::string(400 * 1024, 'x');
  auto full = op.request("POST", base + "?name=scan.pdf", scan, {{"Content-Type", "application/pdf"}});
  CHECK(full.status == 507);
  CHECK(full.json().at("error").at("code").as_string() == "insufficient_storage");
  CHECK(std::string(full.json().at("error").at("message").as_string()).find(dir.string()) == std::string::npos);
  CHECK(files_in(dir) == 0);  // no temporary file left
  CHECK(count(db, "SELECT count(*) FROM attachments") == 0);
  CHECK(http_request(server.port(), "GET", "/readyz").status == 200);  // small files still fit

  // Read-only: nothing can be written at all.
  REQUIRE(disk.make_read_only());
  auto refused = op.request("POST", base + "?name=note.txt", "a short note", {{"Content-Type", "text/plain"}});
  CHECK(refused.status == 503);
  CHECK(refused.json().at("error").at("code").as_string() == "unavailable");
  CHECK(count(db, "SELECT count(*) FROM attachments") == 0);
  auto ready = http_request(server.port(), "GET", "/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.json().at("checks").at("attachments").as_string() != "ok");
}
