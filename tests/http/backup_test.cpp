// petitiond backup / restore (docs/operations.md): a backup taken while petitions and attachments keep
// arriving, restored into new data directories — as it was, to the end of the WAL archive, and to a time —
// each started with petitiond and compared with what the clients were told.
#include <signal.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>

#include "server/auth/secrets.hpp"
#include "server/pg/blocking_connection.hpp"
#include "server/pg/embedded_cluster.hpp"
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

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Filed {
  std::string tracking_code;
  std::int64_t sent_ms, acknowledged_ms;
};

// Files petitions as the demo's operator until stopped, every third with a text attachment of its own; keeps
// what each acknowledgement said and when, and each attachment's bytes by digest.
class IntakeLoad {
 public:
  explicit IntakeLoad(unsigned short port) : session_(port, "hotline1", "12385-demo") {
    thread_ = std::thread([this] { run(); });
  }
  ~IntakeLoad() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Filed> filed() {
    std::lock_guard lock(mutex_);
    return filed_;
  }
  std::map<std::string, std::string> files() {
    std::lock_guard lock(mutex_);
    return files_;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return filed_.size();
  }

 private:
  void run() {
    for (int i = 0; running_; ++i) {
      const auto sent = epoch_ms();
      auto reply = session_.send(
          "POST", "/api/v1/petitions",
          R"({"channel":"hotline","type":"help","category":"other","subject":"备份期间来电)" + std::to_string(i) +
              R"(","content":"轮椅需要维修。","petitioner":{"name":"张三","phone":"13812345678","unit":"QS-T01-V01"}})");
      const auto acknowledged = epoch_ms();
      if (reply.status != 201) continue;
      const auto petition = json::parse(reply.body).as_object();
      {
        std::lock_guard lock(mutex_);
        filed_.push_back({std::string(petition.at("tracking_code").as_string()), sent, acknowledged});
      }
      if (i % 3 != 0) continue;
      const auto text = "第" + std::to_string(i) + "件的材料：" + auth::random_token();
      auto stored = session_.request(
          "POST", "/api/v1/petitions/" + std::to_string(petition.at("id").as_int64()) + "/attachments?name=note.txt",
          text, {{"Content-Type", "text/plain; charset=utf-8"}});
      if (stored.status == 201) {
        std::lock_guard lock(mutex_);
        files_[auth::sha256_hex(text)] = text;
      }
    }
  }

  Session session_;
  std::atomic<bool> running_{true};
  std::mutex mutex_;
  std::vector<Filed> filed_;
  std::map<std::string, std::string> files_;
  std::thread thread_;
};

struct Restored {
  std::set<std::string> codes;    // the petitions' tracking codes
  std::set<std::string> digests;  // the attachments' SHA-256
};

// What a restored data directory holds, read while petitiond serves it (which proves it starts).
Restored restored(const fs::path& data_dir) {
  PetitiondProcess server({"--data-dir", data_dir.string(), "--scheduler-interval", "0", "--notify-interval", "0"});
  REQUIRE(http_request(server.port(), "GET", "/readyz").status == 200);
  pg::BlockingConnection db(pg::embedded_url(data_dir, "petitiond"));
  Restored out;
  auto codes = db.exec("SELECT tracking_code FROM petitions");
  for (int i = 0; i < codes.rows(); ++i) out.codes.emplace(codes.text(i, 0));
  auto digests = db.exec("SELECT DISTINCT sha256 FROM attachments");
  for (int i = 0; i < digests.rows(); ++i) out.digests.emplace(digests.text(i, 0));
  return out;
}

CommandResult restore(const fs::path& backup, const fs::path& into, std::vector<std::string> more = {}) {
  std::vector<std::string> args{"restore", "--from", backup.string(), "--data-dir", into.string()};
  args.insert(args.end(), more.begin(), more.end());
  return run_petitiond(args, {}, std::chrono::seconds(300));
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json::object backup_manifest(const fs::path& backup) {
  return json::parse(file_text(backup / "petitiond-backup.json")).as_object();
}

// An instant as PostgreSQL reads it: "2026-12-03 12:48:12.780+00".
std::string postgres_time(std::int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

}  // namespace

TEST_CASE("a backup taken during intake restores every acknowledged petition and attachment, to a time if asked") {
  ScratchDir dir;
  const auto data = dir.path() / "data", archive = dir.path() / "wal", backup = dir.path() / "backup";
  PetitiondProcess server({"--data-dir", data.string(), "--wal-archive", archive.string(), "--demo", "--demo-days", "0",
                           "--scheduler-interval", "0"});
  IntakeLoad load(server.port());
  REQUIRE(eventually([&] { return load.count() >= 20; }, 30s));

  auto taken = run_petitiond({"backup", "--to", backup.string(), "--data-dir", data.string()}, {}, 300s);
  INFO(taken.output);
  REQUIRE(taken.exit_code == 0);
  const auto manifest = backup_manifest(backup);
  const auto database_started = manifest.at("database_started_at_ms").as_int64();
  const auto database_done = manifest.at("database_done_at_ms").as_int64();
  const auto counted_at_backup = load.count();

  // Intake goes on; a moment is chosen between two petitions, and more arrive after it.
  REQUIRE(eventually([&] { return load.count() >= counted_at_backup + 10; }, 30s));
  const auto chosen = epoch_ms();
  std::this_thread::sleep_for(300ms);
  REQUIRE(eventually([&] { return load.count() >= counted_at_backup + 20; }, 30s));
  load.stop();
  const auto filed = load.filed();
  const auto files = load.files();
  {
    // The last segment archived before the archive is read: what a WAL switch closes.
    pg::BlockingConnection db(pg::embedded_url(data, "petitiond"));
    const auto segment = db.exec("SELECT pg_walfile_name(pg_switch_wal())").text(0, 0);
    REQUIRE(eventually([&] { return fs::exists(archive / segment); }, 60s));
  }
  CHECK(server.stop(SIGTERM) == 0);

  // As it was: every petition acknowledged before the database copy began, none sent after it ended,
  // every attachment it names byte for byte as sent.
  const auto as_it_was = dir.path() / "restored";
  auto done = restore(backup, as_it_was);
  INFO(done.output);
  REQUIRE(done.exit_code == 0);
  const auto first = restored(as_it_was);
  int before = 0, after = 0;
  for (const auto& petition : filed) {
    if (petition.acknowledged_ms < database_started) {
      ++before;
      CHECK(first.codes.count(petition.tracking_code) == 1);
    }
    if (petition.sent_ms > database_done) {
      ++after;
      CHECK(first.codes.count(petition.tracking_code) == 0);
    }
  }
  CHECK(before >= 20);
  CHECK(after >= 20);
  REQUIRE(!first.digests.empty());
  for (const auto& digest : first.digests) {
    REQUIRE(files.count(digest) == 1);
    CHECK(file_text(as_it_was / "attachments" / digest.substr(0, 2) / digest) == files.at(digest));
  }

  // With the WAL archive to its end: everything acknowledged.
  const auto latest = dir.path() / "latest";
  auto replayed = restore(backup, latest, {"--wal-archive", archive.string()});
  INFO(replayed.output);
  REQUIRE(replayed.exit_code == 0);
  const auto all = restored(latest);
  for (const auto& petition : filed) CHECK(all.codes.count(petition.tracking_code) == 1);

  // To the chosen time: what was acknowledged before it, nothing sent after it.
  const auto earlier = dir.path() / "earlier";
  auto to_time = restore(backup, earlier, {"--wal-archive", archive.string(), "--until", postgres_time(chosen)});
  INFO(to_time.output);
  REQUIRE(to_time.exit_code == 0);
  const auto then = restored(earlier);
  before = after = 0;
  for (const auto& petition : filed) {
    if (petition.acknowledged_ms < chosen) {
      ++before;
      CHECK(then.codes.count(petition.tracking_code) == 1);
    } else if (petition.sent_ms > chosen) {
      ++after;
      CHECK(then.codes.count(petition.tracking_code) == 0);
    }
  }
  CHECK(before >= 30);
  CHECK(after >= 5);

  // Refused: a directory in use, a time without the archive, a damaged attachment (named).
  auto into_used = restore(backup, data);
  CHECK(into_used.exit_code != 0);
  CHECK_THAT(into_used.output, Catch::Matchers::Contains("not empty"));
  auto no_archive = restore(backup, dir.path() / "x", {"--until", "2026-12-03 12:00:00+08"});
  CHECK(no_archive.exit_code == 2);
  CHECK_THAT(no_archive.output, Catch::Matchers::Contains("--wal-archive"));
  const auto victim = *first.digests.begin();
  std::ofstream(backup / "attachments" / victim.substr(0, 2) / victim, std::ios::app) << "x";
  auto damaged = restore(backup, dir.path() / "y");
  CHECK(damaged.exit_code != 0);
  CHECK_THAT(damaged.output, Catch::Matchers::Contains("damaged"));
}
