#pragma once
// A bulk build of the text index, kept on disk beside it: the snapshot the build started from, the petitions
// split into ranges of ids, and one finished shard (a Xapian database, IndexShard) per range. Writing fresh
// shards, each in one flush, on several threads, then merging them in one pass (TextIndex::install) is many
// times faster than adding millions of petitions to one growing index. A build stopped by a restart or by kill -9
// goes on with the ranges that have no finished shard.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace petitiond::search {

struct IdRange {
  std::int64_t low = 0;   // first id in the range
  std::int64_t high = 0;  // first id above it
  bool operator==(const IdRange&) const = default;
};

class IndexBuild {
 public:
  explicit IndexBuild(std::filesystem::path directory);

  bool planned() const { return !position_.empty(); }
  // Starts a build: `position` is the snapshot (pg_snapshot text) taken before any petition is read; `ranges`
  // cover every id, newest first. Written durably before the first shard.
  void plan(const std::string& position, const std::vector<IdRange>& ranges);
  const std::string& position() const { return position_; }

  std::vector<IdRange> unfinished() const;
  std::size_t range_count() const { return ranges_.size(); }
  // Where a range's shard is written; whatever an interrupted attempt left there is removed first.
  std::filesystem::path start(const IdRange& range) const;
  void finish(const IdRange& range) const;
  // The finished shards in the plan's order (newest petitions first).
  std::vector<std::filesystem::path> shards() const;
  void remove() const;

 private:
  std::filesystem::path writing_path(const IdRange& range) const;
  std::filesystem::path finished_path(const IdRange& range) const;

  std::filesystem::path directory_;
  std::string position_;
  std::vector<IdRange> ranges_;
};

}  // namespace petitiond::search
