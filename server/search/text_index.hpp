#pragma once
// The text search index: each petition's character bigrams and filter terms in Xapian databases on this
// machine's disk, kept by this process from PostgreSQL (IndexFollower) and read by searches.
//
// Two databases in the index's directory: "words" holds the bigrams of a petition's subject and content, which
// never change once registered, so it is written once per petition and keeps no term lists (about half the
// size, nothing to read back); "filters" holds the dozen terms that change as a petition moves (state, units,
// ...), replaced as they change, and the follower's position. A search walks the words and takes the filters'
// posting lists as sources in the same document order.
//
// A petition's document number counts down from the top of Xapian's range as petition ids count up, so
// Xapian's own document order is "newest registered first": a search walks the posting lists in that order
// and stops once it has the page and the count it was asked for, however common the words are.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace Xapian {
class Database;
class WritableDatabase;
}  // namespace Xapian

namespace petitiond::search {

struct IndexedPetition {
  std::int64_t id = 0;
  std::vector<std::string> words;    // bigrams of the subject and content
  std::vector<std::string> filters;  // filter terms (petition_terms.hpp)
};

struct TextQuery {
  std::vector<std::string> required;             // every one of these words' bigrams
  std::vector<std::vector<std::string>> any_of;  // for each group, at least one of its filter terms
  std::optional<std::int64_t> below_id;          // only petitions with a smaller id
  std::size_t count = 0;                         // at most this many ids
};

struct TextMatches {
  std::vector<std::int64_t> ids;  // newest registered first
  bool more = false;              // further petitions match beyond `ids`
};

class TextIndex {
 public:
  // Opens or creates the index in `directory`. Only one process can write an index: a second one on the
  // same directory reads it (writable() is false) and leaves the keeping to the first.
  explicit TextIndex(std::filesystem::path directory);
  ~TextIndex();
  TextIndex(const TextIndex&) = delete;
  TextIndex& operator=(const TextIndex&) = delete;

  bool writable() const { return filters_ != nullptr; }
  const std::filesystem::path& directory() const { return directory_; }

  // The writer's side, from one thread at a time. replace() takes effect at the next commit(), which stores
  // `metadata` (the follower's position) with the filters after the words are stored: a crash between the two
  // leaves words whose filters the next pass writes again.
  void replace(const std::vector<IndexedPetition>& petitions);
  void commit(const std::vector<std::pair<std::string, std::string>>& metadata);
  // A value commit() stored, as last committed ("" if none).
  std::string metadata(const std::string& key) const;
  std::uint64_t documents() const;
  // True once every petition is in (the follower's build finished): searches wait for it.
  bool ready() const { return metadata("built") == "1"; }

  // Searches the last committed state; any thread.
  TextMatches search(const TextQuery& query) const;

  // Replaces the whole index by the documents of `shards` (IndexShard, disjoint ranges) merged into compact
  // databases that also hold `metadata`; searches see the new index once it is in place. A crash at any point
  // leaves either the old index or the new one.
  void install(const std::vector<std::filesystem::path>& shards,
               const std::vector<std::pair<std::string, std::string>>& metadata);

  // Documents Xapian buffers before it merges them into its tables. Its buffer is a tree of every term it holds,
  // and with hundreds of distinct bigrams a petition, adding to a large one costs more than the merges saved:
  // 2,000 a flush build twice as fast as 100,000 did (bench/results/search-build-2026-12-03.md).
  static constexpr std::uint64_t flush_documents = 2'000;

  // The largest petition id an index can hold.
  static constexpr std::int64_t max_id = 4'000'000'000;

 private:
  class Readers;
  void open_writers();

  std::filesystem::path directory_;
  int role_lock_ = -1;  // flock on "<directory>.lock", held by the one process that writes the index
  std::unique_ptr<Xapian::WritableDatabase> words_;
  std::unique_ptr<Xapian::WritableDatabase> filters_;
  std::unique_ptr<Readers> readers_;
};

// A fresh database for one range of a bulk build (IndexBuild), filled from one thread and flushed once.
class IndexShard {
 public:
  explicit IndexShard(const std::filesystem::path& directory);
  ~IndexShard();
  IndexShard(const IndexShard&) = delete;
  IndexShard& operator=(const IndexShard&) = delete;

  // Petitions in descending id order (ascending document numbers: each is appended).
  void add(const std::vector<IndexedPetition>& petitions);
  void finish();

 private:
  std::filesystem::path directory_;
  std::unique_ptr<Xapian::WritableDatabase> words_;
  std::unique_ptr<Xapian::WritableDatabase> filters_;
};

}  // namespace petitiond::search
