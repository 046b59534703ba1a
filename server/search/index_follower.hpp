#pragma once
// Keeps the text index up to date with the petitions table, outside the transactions that write it.
//
// Every write that changes what the index holds of a petition stamps the row with its transaction id
// (petitions.search_xid: the column default and the trigger petitions_search_changed). A pass reads the rows
// stamped by transactions its last snapshot did not see as committed — those at or above its xmax and those
// it listed as in progress — and stores the new snapshot with the documents in one Xapian commit. A change
// is therefore indexed exactly when it is visible, whatever order transactions commit in, and a restart
// (even after kill -9) goes on from the last commit. Passes run every `interval`, so a petition is findable
// within about that long after its registration is acknowledged.
//
// A new index is first built from every petition in shards written in parallel and merged (IndexBuild); passes
// begin from the snapshot the build started with. Searches wait for the build (TextIndex::ready()).
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>

#include "server/pg/pool.hpp"
#include "server/search/index_build.hpp"
#include "server/search/text_index.hpp"

namespace petitiond::search {

// Waits until the index holds every change committed before `since` (a user's own writes, before their search):
// at most a pass, or gives up after two seconds.
class IndexFreshness {
 public:
  virtual ~IndexFreshness() = default;
  virtual boost::asio::awaitable<void> wait_past(std::chrono::steady_clock::time_point since) = 0;
};

class IndexFollower : public IndexFreshness {
 public:
  static constexpr int build_threads = 2;

  IndexFollower(boost::asio::io_context& io, pg::Pool& pool, TextIndex& index, std::chrono::milliseconds interval);
  ~IndexFollower();

  void start();
  void stop();
  // Since the last pass that reached the present; -1: none yet (or another process keeps the index).
  double seconds_since_pass() const;
  boost::asio::awaitable<void> wait_past(std::chrono::steady_clock::time_point since) override;

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> pass();
  std::filesystem::path build_directory() const;
  boost::asio::awaitable<void> build();
  boost::asio::awaitable<void> build_shards(const IndexBuild& build, std::vector<IdRange> ranges);
  boost::asio::awaitable<void> write(std::vector<IndexedPetition> petitions,
                                     std::vector<std::pair<std::string, std::string>> metadata);

  boost::asio::io_context& io_;
  pg::Pool& pool_;
  TextIndex& index_;
  std::chrono::milliseconds interval_;
  boost::asio::thread_pool writer_{1};  // Xapian writes block; one thread keeps them in order
  boost::asio::thread_pool builders_{build_threads};
  boost::asio::steady_timer timer_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> built_{false};
  std::atomic<std::int64_t> last_pass_ns_{0};  // when the last pass ended
  std::atomic<std::int64_t> caught_up_ns_{0};  // when the last completed pass began
  std::atomic<bool> poked_{false};             // someone waits: no sleep before the next pass
  std::string position_;                       // the snapshot of the last pass (pg_snapshot text)
  std::uint64_t uncommitted_ = 0;              // petitions written since the last commit
};

}  // namespace petitiond::search
