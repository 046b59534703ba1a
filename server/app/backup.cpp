#include "server/app/backup.hpp"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/error.hpp"
#include "server/app/backup_files.hpp"
#include "server/pg/embedded_cluster.hpp"
#include "workflow/calendar.hpp"

namespace petitiond::app {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

constexpr const char* manifest_name = "petitiond-backup.json";
constexpr const char* attachment_list_name = "attachments.sha256";

struct Moment {
  std::string local;  // "2026-12-03T14:05:00+08:00"
  std::int64_t epoch_ms;
};

Moment now() {
  const auto at = std::chrono::system_clock::now();
  return {workflow::format_local(std::chrono::floor<std::chrono::seconds>(at)),
          std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count()};
}

bool empty_or_missing(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec));
}

void hand_to(const fs::path& path, const std::optional<pg::Account>& account) {
  if (account && ::chown(path.c_str(), account->uid, account->gid) != 0)
    throw Error(Errc::internal, "cannot hand " + path.string() + " to postgres");
}

json::object read_manifest(const fs::path& dir) {
  std::ifstream in(dir / manifest_name);
  if (!in)
    throw Error(Errc::invalid_field, dir.string() + " is not a petitiond backup (no " + manifest_name + ")", "from");
  std::stringstream text;
  text << in.rdbuf();
  try {
    auto value = json::parse(text.str());
    if (value.is_object() && value.as_object().contains("format")) return value.as_object();
  } catch (const std::exception&) {
  }
  throw Error(Errc::invalid_field, "the manifest " + (dir / manifest_name).string() + " is damaged", "from");
}

}  // namespace

int run_backup(const Config& config) {
  const auto target = fs::absolute(config.backup.to).lexically_normal();
  if (!empty_or_missing(target))
    throw Error(Errc::invalid_field, "--to: " + target.string() + " exists and is not empty", "to");
  // Everything goes into DIR.partial, renamed to DIR at the end: an interrupted backup never looks whole.
  auto partial = target;
  partial += ".partial";
  fs::remove_all(partial);
  fs::create_directories(partial);
  fs::permissions(partial, fs::perms::owner_all);  // personal data: the owner's only

  // A guest when petitiond is serving on this data directory: the backup is taken while it serves.
  pg::EmbeddedCluster cluster(pg::ClusterOptions{config.data_dir, config.pg_bin});
  cluster.start();
  const auto started = now();

  // Attachments before the database and again after it: a file is written before the row naming it
  // commits, so every attachment the copied database names is in the second pass at the latest.
  AttachmentCopy attachments;
  copy_attachments(config.attachment_dir, partial / "attachments", attachments);
  hand_to(partial, cluster.account());
  const auto database_started = now();
  cluster.base_backup(partial / "postgres", "petitiond " + database_started.local);
  const auto database_done = now();
  copy_attachments(config.attachment_dir, partial / "attachments", attachments);
  write_attachment_list(partial / attachment_list_name, attachments);

  const auto finished = now();
  json::object manifest{
      {"format", 1},
      {"petitiond", PETITIOND_VERSION},
      {"started_at", started.local},
      // The database is consistent at the end of its copy, between these two moments: everything
      // acknowledged before `database_started_at` is in it; later work is in the WAL archive, if kept.
      {"database_started_at", database_started.local},
      {"database_started_at_ms", database_started.epoch_ms},
      {"database_done_at", database_done.local},
      {"database_done_at_ms", database_done.epoch_ms},
      {"finished_at", finished.local},
      {"database",
       "postgres: pg_basebackup, plain format, WAL included; checked by pg_verifybackup against "
       "postgres/backup_manifest"},
      {"attachments", json::object{{"files", static_cast<std::int64_t>(attachments.files.size())},
                                   {"bytes", attachments.bytes},
                                   {"list", attachment_list_name}}},
      {"wal_archive",
       config.wal_archive.empty() ? json::value(nullptr) : json::value(fs::absolute(config.wal_archive).string())}};
  write_file_durably(partial / manifest_name, json::serialize(manifest) + "\n");
  sync_directory(partial);
  if (fs::exists(target)) fs::remove(target);  // empty, as checked
  fs::rename(partial, target);
  sync_directory(target.parent_path());
  cluster.stop();  // only when this command started it

  std::cout << "backup written to " << target.string() << "\n"
            << "  database: copied from " << database_started.local << " to " << database_done.local
            << " (consistent at the end of the copy)\n"
            << "  attachments: " << attachments.files.size() << " files, " << attachments.bytes << " bytes\n";
  return 0;
}

int run_restore(const Config& config) {
  const auto from = fs::absolute(config.backup.from).lexically_normal();
  const auto manifest = read_manifest(from);
  if (manifest.at("format").as_int64() != 1)
    throw Error(Errc::invalid_field, "this backup's format is newer than this petitiond understands", "from");
  const auto data_dir = fs::absolute(config.data_dir).lexically_normal();
  if (!empty_or_missing(data_dir))
    throw Error(Errc::invalid_field, "--data-dir: " + data_dir.string() + " is not empty; restore into a new directory",
                "data-dir");
  fs::create_directories(data_dir);

  pg::EmbeddedCluster cluster(pg::ClusterOptions{data_dir, config.pg_bin});
  cluster.verify_backup(from / "postgres");
  const auto attachments =
      restore_attachments(from / attachment_list_name, from / "attachments", config.attachment_dir);
  copy_tree_durably(from / "postgres", cluster.pgdata());
  pg::RecoveryTarget target{config.wal_archive, config.backup.until};
  cluster.prepare_recovery(target);
  cluster.start();
  cluster.wait_for_recovery(std::chrono::minutes(30));
  cluster.stop();

  std::cout << "restored " << from.string() << " into " << data_dir.string() << "\n"
            << "  database: "
            << (config.wal_archive.empty() ? "as it was at the end of the backup's copy"
                : config.backup.until      ? "replayed from the WAL archive up to " + *config.backup.until
                                           : std::string("replayed to the end of the WAL archive"))
            << "\n"
            << "  attachments: " << attachments << " files, each checked against its SHA-256\n"
            << "start it with: petitiond --data-dir " << data_dir.string() << "\n";
  return 0;
}

}  // namespace petitiond::app
