#include "server/search/text_index.hpp"

#include <xapian.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <spdlog/spdlog.h>

#include "core/error.hpp"

namespace petitiond::search {
namespace {

Xapian::docid docid_of(std::int64_t id) {
  if (id < 1 || id > TextIndex::max_id) throw std::out_of_range("petition id outside the text index's range");
  return static_cast<Xapian::docid>(TextIndex::max_id + 1 - id);
}

std::int64_t id_of(Xapian::docid docid) { return TextIndex::max_id + 1 - static_cast<std::int64_t>(docid); }

// Every document number from `first` on: ANDed with the words, it starts the walk there, so that the next
// page costs what the first did.
class DocidsFrom : public Xapian::PostingSource {
 public:
  explicit DocidsFrom(Xapian::docid first) : first_(first) {}

  void init(const Xapian::Database& db) override {
    last_ = db.get_lastdocid();
    documents_ = db.get_doccount();
    current_ = 0;
  }
  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return get_termfreq_max(); }
  Xapian::doccount get_termfreq_max() const override {
    return last_ < first_ ? 0 : std::min<Xapian::doccount>(documents_, last_ - first_ + 1);
  }
  Xapian::docid get_docid() const override { return current_; }
  void next(double) override { current_ = current_ < first_ ? first_ : current_ + 1; }
  void skip_to(Xapian::docid docid, double) override { current_ = std::max({current_, first_, docid}); }
  bool at_end() const override { return current_ > last_; }
  Xapian::PostingSource* clone() const override { return new DocidsFrom(first_); }

 private:
  Xapian::docid first_;
  Xapian::docid last_ = 0;
  Xapian::doccount documents_ = 0;
  Xapian::docid current_ = 0;
};

// The documents of another database (the filters) holding `term`, in document order: a source for a search
// over the words.
class TermIn : public Xapian::PostingSource {
 public:
  TermIn(const Xapian::Database& filters, std::string term) : filters_(filters), term_(std::move(term)) {}

  void init(const Xapian::Database&) override {
    it_ = filters_.postlist_begin(term_);
    end_ = filters_.postlist_end(term_);
    started_ = false;
  }
  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return filters_.get_termfreq(term_); }
  Xapian::doccount get_termfreq_max() const override { return filters_.get_termfreq(term_); }
  Xapian::docid get_docid() const override { return *it_; }
  void next(double) override {
    if (started_) ++it_;
    started_ = true;
  }
  void skip_to(Xapian::docid docid, double) override {
    started_ = true;
    if (it_ != end_) it_.skip_to(docid);
  }
  bool at_end() const override { return it_ == end_; }
  Xapian::PostingSource* clone() const override { return new TermIn(filters_, term_); }

 private:
  Xapian::Database filters_;
  std::string term_;
  Xapian::PostingIterator it_;
  Xapian::PostingIterator end_;
  bool started_ = false;
};

bool has_document(Xapian::WritableDatabase& db, Xapian::docid docid) {
  try {
    (void)db.get_doclength(docid);
    return true;
  } catch (const Xapian::DocNotFoundError&) {
    return false;
  }
}

// Whether the document `docid` exists with exactly these (sorted, distinct) terms.
bool holds_exactly(Xapian::WritableDatabase& db, Xapian::docid docid, const std::vector<std::string>& terms) {
  try {
    auto document = db.get_document(docid);
    if (document.termlist_count() != terms.size()) return false;
    auto term = terms.begin();
    for (auto it = document.termlist_begin(); it != document.termlist_end(); ++it, ++term)
      if (*it != *term) return false;
    return true;
  } catch (const Xapian::DocNotFoundError&) {
    return false;
  }
}

Xapian::Document document_of(const std::vector<std::string>& distinct_terms) {
  Xapian::Document document;
  for (const auto& term : distinct_terms) document.add_boolean_term(term);
  return document;
}

std::vector<std::string> distinct(std::vector<std::string> terms) {
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

bool in_range(const IndexedPetition& petition) {
  if (petition.id >= 1 && petition.id <= TextIndex::max_id) return true;
  spdlog::error("text index: petition {} lies outside the index's range and is not searchable", petition.id);
  return false;
}

std::filesystem::path beside(const std::filesystem::path& directory, const char* suffix) {
  auto path = directory;
  path += suffix;
  return path;
}

Xapian::Query any_of(const Xapian::Database& filters, const std::vector<std::string>& terms) {
  std::vector<Xapian::Query> sources;
  for (const auto& term : terms) sources.emplace_back((new TermIn(filters, term))->release());
  return Xapian::Query(Xapian::Query::OP_OR, sources.begin(), sources.end());
}

constexpr const char* words_name = "words";
constexpr const char* filters_name = "filters";

// Which directory a path names now (0: none): install() puts a new one in place.
ino_t inode_of(const std::filesystem::path& directory) {
  struct stat st {};
  return ::stat(directory.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The two databases as one reader sees them.
struct IndexReader {
  ino_t inode;
  Xapian::Database words;
  Xapian::Database filters;
  IndexReader(const std::filesystem::path& directory, ino_t directory_inode)
      : inode(directory_inode),
        words((directory / words_name).string()),
        filters((directory / filters_name).string()) {}
  void reopen() {
    words.reopen();
    filters.reopen();
  }
};

}  // namespace

// Xapian database handles are not thread-safe: each search borrows one, brought up to the last commit.
// Xapian database handles are not thread-safe: each search borrows one, brought up to the last commit. A handle
// opened on an index that install() has since replaced (in this process or another) is closed, not reused: it
// would go on reading the old files.
class TextIndex::Readers {
 public:
  explicit Readers(std::filesystem::path directory) : directory_(std::move(directory)) {}

  template <typename F>
  auto with(F&& f) {
    auto db = take();
    try {
      for (int attempt = 0;; ++attempt) {
        try {
          db->reopen();
          auto out = f(*db);
          give_back(std::move(db));
          return out;
        } catch (const Xapian::DatabaseModifiedError&) {
          if (attempt == 3) throw;  // the writer committed several times during one search
        }
      }
    } catch (const Xapian::Error& e) {
      throw Error(Errc::unavailable, "the text search index cannot be read: " + e.get_msg());
    }
  }

 private:
  std::unique_ptr<IndexReader> take() {
    const auto current = inode_of(directory_);
    {
      std::lock_guard lock(mutex_);
      while (!free_.empty()) {
        auto db = std::move(free_.back());
        free_.pop_back();
        if (db->inode == current) return db;
      }
    }
    try {
      return std::make_unique<IndexReader>(directory_, current);
    } catch (const Xapian::Error& e) {
      throw Error(Errc::unavailable, "the text search index cannot be opened: " + e.get_msg());
    }
  }
  void give_back(std::unique_ptr<IndexReader> db) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(db));
  }

  std::filesystem::path directory_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<IndexReader>> free_;
};

TextIndex::TextIndex(std::filesystem::path directory) : directory_(std::move(directory)) {
  readers_ = std::make_unique<Readers>(directory_);
  // Read by Xapian when a writable database opens; an operator's own setting wins.
  ::setenv("XAPIAN_FLUSH_THRESHOLD", std::to_string(flush_documents).c_str(), 0);
  std::filesystem::create_directories(directory_.parent_path());
  role_lock_ = ::open(beside(directory_, ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (role_lock_ < 0) throw std::runtime_error("text index " + directory_.string() + ": cannot open its lock file");
  if (::flock(role_lock_, LOCK_EX | LOCK_NB) != 0) {
    spdlog::info("text index {}: another process keeps it; this one reads it", directory_.string());
    return;
  }
  // An install() cut short: the new index, if whole, took the old one's place; the old one goes.
  const auto fresh = beside(directory_, ".new");
  const auto old = beside(directory_, ".old");
  if (!std::filesystem::exists(directory_) && std::filesystem::exists(fresh))
    std::filesystem::rename(fresh, directory_);
  std::filesystem::remove_all(fresh);
  std::filesystem::remove_all(old);
  if (std::filesystem::exists(directory_ / "iamglass")) {
    spdlog::info("text index {}: an index of an earlier layout; building it again", directory_.string());
    std::filesystem::remove_all(directory_);
  }
  std::filesystem::create_directories(directory_);
  open_writers();
}

TextIndex::~TextIndex() {
  words_.reset();
  filters_.reset();
  if (role_lock_ >= 0) ::close(role_lock_);
}

void TextIndex::open_writers() {
  try {
    words_ = std::make_unique<Xapian::WritableDatabase>((directory_ / words_name).string(),
                                                        Xapian::DB_CREATE_OR_OPEN | Xapian::DB_NO_TERMLIST);
    filters_ =
        std::make_unique<Xapian::WritableDatabase>((directory_ / filters_name).string(), Xapian::DB_CREATE_OR_OPEN);
  } catch (const Xapian::Error& e) {
    throw std::runtime_error("text index " + directory_.string() + ": " + e.get_msg());
  }
}

void TextIndex::replace(const std::vector<IndexedPetition>& petitions) {
  for (const auto& petition : petitions) {
    if (!in_range(petition)) continue;
    const auto docid = docid_of(petition.id);
    // Words are written once (a petition's subject and content do not change); filters only when they did
    // (a pass overlapping the last, a restart): replace_document() takes every posting out and puts it back.
    if (!has_document(*words_, docid)) words_->replace_document(docid, document_of(distinct(petition.words)));
    const auto filters = distinct(petition.filters);
    if (!holds_exactly(*filters_, docid, filters)) filters_->replace_document(docid, document_of(filters));
  }
}

void TextIndex::install(const std::vector<std::filesystem::path>& shards,
                        const std::vector<std::pair<std::string, std::string>>& metadata) {
  const auto fresh = beside(directory_, ".new");
  const auto old = beside(directory_, ".old");
  std::filesystem::remove_all(fresh);
  std::filesystem::create_directories(fresh);
  try {
    for (const auto* name : {words_name, filters_name}) {
      Xapian::Database all;
      for (const auto& shard : shards) all.add_database(Xapian::Database((shard / name).string()));
      // Document numbers kept (they are the petitions' ids); the tables written full, in several passes when
      // there are many shards.
      all.compact((fresh / name).string(), Xapian::DBCOMPACT_NO_RENUMBER | Xapian::DBCOMPACT_MULTIPASS);
    }
    Xapian::WritableDatabase filters((fresh / filters_name).string(), Xapian::DB_OPEN);
    for (const auto& [key, value] : metadata) filters.set_metadata(key, value);
    filters.commit();
  } catch (const Xapian::Error& e) {
    throw std::runtime_error("text index " + directory_.string() + ": cannot merge the build: " + e.get_msg());
  }
  words_.reset();
  filters_.reset();
  std::filesystem::rename(directory_, old);
  std::filesystem::rename(fresh, directory_);
  open_writers();
  std::filesystem::remove_all(old);
}

void TextIndex::commit(const std::vector<std::pair<std::string, std::string>>& metadata) {
  words_->commit();
  for (const auto& [key, value] : metadata) filters_->set_metadata(key, value);
  filters_->commit();
}

// Read through a reader, as committed: the writer belongs to the follower's thread.
std::string TextIndex::metadata(const std::string& key) const {
  return readers_->with([&](IndexReader& db) { return db.filters.get_metadata(key); });
}

std::uint64_t TextIndex::documents() const {
  return readers_->with([](IndexReader& db) { return static_cast<std::uint64_t>(db.filters.get_doccount()); });
}

TextMatches TextIndex::search(const TextQuery& query) const {
  TextMatches out;
  if (query.required.empty() || query.count == 0) return out;
  if (query.below_id && *query.below_id <= 1) return out;
  return readers_->with([&](IndexReader& db) {
    Xapian::Query q(Xapian::Query::OP_AND, query.required.begin(), query.required.end());
    for (const auto& group : query.any_of) q = Xapian::Query(Xapian::Query::OP_FILTER, q, any_of(db.filters, group));
    if (query.below_id) {
      auto* from = new DocidsFrom(docid_of(std::min(*query.below_id - 1, max_id)));
      q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(from->release()));
    }
    Xapian::Enquire enquire(db.words);
    enquire.set_query(q);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    auto matches = enquire.get_mset(0, static_cast<Xapian::doccount>(query.count + 1));
    TextMatches found;
    for (auto it = matches.begin(); it != matches.end() && found.ids.size() < query.count; ++it)
      found.ids.push_back(id_of(*it));
    found.more = matches.size() > query.count;
    return found;
  });
}

IndexShard::IndexShard(const std::filesystem::path& directory) : directory_(directory) {
  std::filesystem::create_directories(directory);
  try {
    words_ = std::make_unique<Xapian::WritableDatabase>((directory / words_name).string(),
                                                        Xapian::DB_CREATE | Xapian::DB_NO_TERMLIST);
    filters_ = std::make_unique<Xapian::WritableDatabase>((directory / filters_name).string(), Xapian::DB_CREATE);
  } catch (const Xapian::Error& e) {
    throw std::runtime_error("text index shard " + directory.string() + ": " + e.get_msg());
  }
}

IndexShard::~IndexShard() = default;

void IndexShard::add(const std::vector<IndexedPetition>& petitions) {
  for (const auto& petition : petitions) {
    if (!in_range(petition)) continue;
    words_->replace_document(docid_of(petition.id), document_of(distinct(petition.words)));
    filters_->replace_document(docid_of(petition.id), document_of(distinct(petition.filters)));
  }
}

void IndexShard::finish() {
  words_->commit();
  filters_->commit();
  words_.reset();
  filters_.reset();
  // Written in many flushes, a shard's tables are half empty: compacted, the shards waiting for the merge take
  // about a third of the room (and the merge reads less).
  for (const auto* name : {words_name, filters_name}) {
    const auto path = directory_ / name;
    const auto compacted = beside(path, ".compact");
    std::filesystem::remove_all(compacted);
    Xapian::Database(path.string()).compact(compacted.string(), Xapian::DBCOMPACT_NO_RENUMBER);
    std::filesystem::remove_all(path);
    std::filesystem::rename(compacted, path);
  }
}

}  // namespace petitiond::search
