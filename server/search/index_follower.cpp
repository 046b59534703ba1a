#include "server/search/index_follower.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "server/search/petition_terms.hpp"

namespace petitiond::search {
namespace asio = boost::asio;
namespace {

constexpr int batch_rows = 2'000;
// Petitions per shard of a build (a range of ids).
constexpr std::int64_t shard_rows = 100'000;
// A large catch-up commits (stores its position durably) every this many petitions, not every batch.
constexpr std::uint64_t commit_rows = 100'000;
using Metadata = std::vector<std::pair<std::string, std::string>>;

constexpr const char* petition_columns =
    "SELECT p.id, p.subject, p.content, p.state, p.type, p.category, p.channel, p.urgency, p.intake_unit_id,"
    " p.responsible_unit_id, p.reviewing_unit_id, p.co_unit_ids, p.handed_down_from, p.filed_by, p.proxy_user_id,"
    " p.search_xid::text FROM petitions p";

std::optional<std::int64_t> optional_integer(const pg::Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return r.integer(row, column);
}

std::vector<std::int64_t> integers(const pg::Result& r, int row, int column) {
  std::vector<std::int64_t> out;
  for (const auto& word : r.words(row, column)) out.push_back(std::stoll(word));
  return out;
}

std::vector<PetitionText> petitions_from(const pg::Result& r) {
  std::vector<PetitionText> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    PetitionText p;
    p.id = r.integer(row, 0);
    p.subject = r.text(row, 1);
    p.content = r.text(row, 2);
    p.state = r.text(row, 3);
    p.type = r.text(row, 4);
    p.category = r.text(row, 5);
    p.channel = r.text(row, 6);
    p.urgency = r.text(row, 7);
    p.intake_unit = r.integer(row, 8);
    p.responsible_unit = optional_integer(r, row, 9);
    p.reviewing_unit = optional_integer(r, row, 10);
    p.co_units = integers(r, row, 11);
    p.handed_down_from = integers(r, row, 12);
    p.filed_by = optional_integer(r, row, 13);
    p.proxy_user = optional_integer(r, row, 14);
    out.push_back(std::move(p));
  }
  return out;
}

// "xmin:xmax:xip,xip" (pg_snapshot's text form): the transactions it saw as not yet committed are those
// from xmax on and those listed.
struct Snapshot {
  std::string xmax;
  std::string in_progress;  // an xid8[] literal
};

Snapshot parse_snapshot(const std::string& text) {
  const auto first = text.find(':');
  const auto second = text.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos)
    throw Error(Errc::internal, "unreadable snapshot position in the text index: " + text);
  return {text.substr(first + 1, second - first - 1), "{" + text.substr(second + 1) + "}"};
}

}  // namespace

IndexFollower::IndexFollower(asio::io_context& io, pg::Pool& pool, TextIndex& index, std::chrono::milliseconds interval)
    : io_(io), pool_(pool), index_(index), interval_(interval), timer_(io) {}

IndexFollower::~IndexFollower() { writer_.join(); }

void IndexFollower::start() {
  if (!index_.writable()) return;
  asio::co_spawn(io_, run(), asio::detached);
}

void IndexFollower::stop() {
  stopping_ = true;
  timer_.cancel();
}

double IndexFollower::seconds_since_pass() const {
  const auto at = last_pass_ns_.load();
  if (at == 0) return -1;
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch() -
                                       std::chrono::nanoseconds(at))
      .count();
}

asio::awaitable<void> IndexFollower::wait_past(std::chrono::steady_clock::time_point since) {
  const auto wanted = since.time_since_epoch().count();
  if (caught_up_ns_ >= wanted || !index_.writable()) co_return;
  poked_ = true;
  asio::post(io_, [this] { timer_.cancel(); });
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (caught_up_ns_ < wanted && std::chrono::steady_clock::now() < give_up) {
    timer.expires_after(std::chrono::milliseconds(2));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> IndexFollower::write(std::vector<IndexedPetition> petitions,
                                           std::vector<std::pair<std::string, std::string>> metadata) {
  uncommitted_ += petitions.size();
  const bool commit = !metadata.empty() || uncommitted_ >= commit_rows;
  if (commit) uncommitted_ = 0;
  auto task = [](TextIndex& index, std::vector<IndexedPetition> batch, Metadata values,
                 bool commit_now) -> asio::awaitable<void> {
    index.replace(batch);
    if (commit_now) index.commit(values);
    co_return;
  };
  co_await asio::co_spawn(writer_, task(index_, std::move(petitions), std::move(metadata), commit),
                          asio::use_awaitable);
}

asio::awaitable<void> IndexFollower::run() {
  while (!stopping_) {
    try {
      position_ = index_.metadata("position");
      built_ = index_.ready();
      if (!built_) co_await build();
      else IndexBuild(build_directory()).remove();  // what a build stopped just after its install left
      break;
    } catch (const std::exception& e) {
      spdlog::error("text index {}: the build stopped: {}; trying again in a minute", index_.directory().string(),
                    e.what());
    }
    timer_.expires_after(std::chrono::minutes(1));
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  while (!stopping_) {
    auto wait = interval_;
    try {
      poked_ = false;
      const auto began = std::chrono::steady_clock::now().time_since_epoch().count();
      co_await pass();
      caught_up_ns_ = began;
    } catch (const std::exception& e) {
      spdlog::warn("text index: {}", e.what());
      wait = std::max(interval_, std::chrono::milliseconds(1000));
    }
    if (stopping_) break;
    if (poked_) wait = std::chrono::milliseconds(0);
    timer_.expires_after(wait);
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

std::filesystem::path IndexFollower::build_directory() const {
  auto path = index_.directory();
  path += ".build";
  return path;
}

asio::awaitable<void> IndexFollower::build() {
  const auto started = std::chrono::steady_clock::now();
  IndexBuild build(build_directory());
  if (!build.planned()) {
    // The snapshot first: every change it does not show committed is read again by the passes after the build,
    // and every petition it shows is in some range read after it.
    const auto position = std::string((co_await pool_.run_one("SELECT pg_current_snapshot()::text")).text(0, 0));
    // Ranges of shard_rows ids (ids are nearly dense), from the newest: the ends of the primary key are all read.
    const auto ends = co_await pool_.run_one("SELECT coalesce(min(id), 1), coalesce(max(id), 0) FROM petitions");
    const auto oldest = ends.integer(0, 0);
    std::vector<IdRange> ranges;
    std::int64_t high = TextIndex::max_id + 1;
    for (auto low = ends.integer(0, 1) + 1 - shard_rows; low > oldest; low -= shard_rows) {
      ranges.push_back({low, high});
      high = low;
    }
    ranges.push_back({0, high});
    build.plan(position, ranges);
    spdlog::info("text index {}: building from every petition in {} ranges of up to {}", index_.directory().string(),
                 ranges.size(), shard_rows);
  } else {
    spdlog::info("text index {}: going on with the build, {} of {} ranges left", index_.directory().string(),
                 build.unfinished().size(), build.range_count());
  }
  // Each thread takes every build_threads-th range left, newest first.
  const auto left = build.unfinished();
  std::vector<std::vector<IdRange>> shares(build_threads);
  for (std::size_t i = 0; i < left.size(); ++i) shares[i % build_threads].push_back(left[i]);
  using namespace asio::experimental::awaitable_operators;
  static_assert(build_threads == 2);
  co_await (build_shards(build, std::move(shares[0])) && build_shards(build, std::move(shares[1])));
  if (stopping_) co_return;
  Metadata metadata;
  metadata.emplace_back("position", build.position());
  metadata.emplace_back("built", "1");
  auto shards = build.shards();
  auto merge = [](TextIndex& index, std::vector<std::filesystem::path> parts,
                  Metadata values) -> asio::awaitable<void> {
    index.install(parts, values);
    co_return;
  };
  co_await asio::co_spawn(writer_, merge(index_, std::move(shards), std::move(metadata)), asio::use_awaitable);
  build.remove();
  position_ = build.position();
  built_ = true;
  spdlog::info("text index {}: built, {} petitions in {:.0f} s", index_.directory().string(), index_.documents(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

// Writes the shards of `ranges`, one after another, each read newest first in batches.
asio::awaitable<void> IndexFollower::build_shards(const IndexBuild& build, std::vector<IdRange> ranges) {
  const std::string sql = std::string(petition_columns) + " WHERE p.id >= $1 AND p.id < $2 ORDER BY p.id DESC LIMIT " +
                          std::to_string(batch_rows);
  for (const auto& range : ranges) {
    if (stopping_) co_return;
    const auto began = std::chrono::steady_clock::now();
    auto shard = std::make_shared<IndexShard>(build.start(range));
    std::int64_t below = range.high;
    std::size_t petitions = 0;
    for (;;) {
      auto rows = co_await pool_.run_one(pg::Statement(sql, range.low, below));
      if (rows.rows() == 0) break;
      below = rows.integer(rows.rows() - 1, 0);
      petitions += static_cast<std::size_t>(rows.rows());
      const bool last = rows.rows() < batch_rows;
      auto add = [](std::shared_ptr<IndexShard> to, pg::Result from) -> asio::awaitable<void> {
        std::vector<IndexedPetition> found;
        for (const auto& petition : petitions_from(from)) found.push_back(petition_terms(petition));
        to->add(found);
        co_return;
      };
      co_await asio::co_spawn(builders_, add(shard, std::move(rows)), asio::use_awaitable);
      if (last || stopping_) break;
    }
    if (stopping_) co_return;
    auto finish = [](std::shared_ptr<IndexShard> done) -> asio::awaitable<void> {
      done->finish();
      co_return;
    };
    co_await asio::co_spawn(builders_, finish(shard), asio::use_awaitable);
    build.finish(range);
    spdlog::info("text index: petitions {}-{} indexed ({} in {:.1f} s)", range.low, range.high - 1, petitions,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  }
}

asio::awaitable<void> IndexFollower::pass() {
  const auto since = parse_snapshot(position_);
  // Two ranges, each walked in (search_xid, id) order through petitions_search_xid: the transactions the last
  // snapshot saw in progress, then those from its xmax on.
  const std::string in_progress = " p.search_xid = ANY ($1::xid8[])";
  const std::string from_xmax = " p.search_xid >= $1::xid8";
  std::string next_position;
  bool wrote = false;
  for (const auto* range : {&in_progress, &from_xmax}) {
    const auto& bound = range == &in_progress ? since.in_progress : since.xmax;
    if (bound == "{}") continue;
    std::string after_xid = "0";
    std::int64_t after_id = 0;
    for (;;) {
      const bool first = next_position.empty();
      const std::string sql = std::string(petition_columns) + " WHERE" + *range +
                              " AND (p.search_xid, p.id) > ($2::xid8, $3::bigint) ORDER BY p.search_xid, p.id LIMIT " +
                              std::to_string(batch_rows);
      std::vector<pg::Statement> statements;
      if (first) {
        // The snapshot and the first rows under one snapshot: what it saw committed is read now.
        statements.emplace_back("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        statements.emplace_back("SELECT pg_current_snapshot()::text");
      }
      statements.emplace_back(sql, bound, after_xid, after_id);
      if (first) statements.emplace_back("COMMIT");
      auto results = co_await pool_.run(std::move(statements));
      if (first) next_position = results[1].text(0, 0);
      const auto& rows = results[first ? 2 : 0];
      const bool last = rows.rows() < batch_rows;
      if (rows.rows() > 0) {
        std::vector<IndexedPetition> found;
        for (const auto& petition : petitions_from(rows)) found.push_back(petition_terms(petition));
        Metadata no_metadata;
        co_await write(std::move(found), std::move(no_metadata));
        wrote = true;
      }
      if (last) break;
      after_xid = rows.text(rows.rows() - 1, 15);
      after_id = rows.integer(rows.rows() - 1, 0);
    }
  }
  // The position is stored with a commit after everything it covers, so a pass cut short is read again from
  // where it began; a pass that found nothing moves it in memory only.
  if (wrote) {
    Metadata metadata;
    metadata.emplace_back("position", next_position);
    std::vector<IndexedPetition> none;
    co_await write(std::move(none), std::move(metadata));
  }
  if (!next_position.empty()) position_ = next_position;
  last_pass_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
}

}  // namespace petitiond::search
