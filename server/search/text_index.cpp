#include "server/search/text_index.hpp"

#include <xapian.h>

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

Xapian::Query any_of(const std::vector<std::string>& terms) {
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

}  // namespace

// Xapian database handles are not thread-safe: each search borrows one, brought up to the last commit.
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
  std::unique_ptr<Xapian::Database> take() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto db = std::move(free_.back());
        free_.pop_back();
        return db;
      }
    }
    try {
      return std::make_unique<Xapian::Database>(directory_.string());
    } catch (const Xapian::Error& e) {
      throw Error(Errc::unavailable, "the text search index cannot be opened: " + e.get_msg());
    }
  }
  void give_back(std::unique_ptr<Xapian::Database> db) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(db));
  }

  std::filesystem::path directory_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Xapian::Database>> free_;
};

TextIndex::TextIndex(std::filesystem::path directory) : directory_(std::move(directory)) {
  std::filesystem::create_directories(directory_);
  // Read by Xapian when a writable database opens; an operator's own setting wins.
  ::setenv("XAPIAN_FLUSH_THRESHOLD", std::to_string(flush_documents).c_str(), 0);
  try {
    writer_ = std::make_unique<Xapian::WritableDatabase>(directory_.string(), Xapian::DB_CREATE_OR_OPEN);
  } catch (const Xapian::DatabaseLockError&) {
    spdlog::info("text index {}: another process keeps it; this one reads it", directory_.string());
  } catch (const Xapian::Error& e) {
    throw std::runtime_error("text index " + directory_.string() + ": " + e.get_msg());
  }
  readers_ = std::make_unique<Readers>(directory_);
}

TextIndex::~TextIndex() = default;

void TextIndex::replace(const std::vector<IndexedPetition>& petitions) {
  for (const auto& petition : petitions) {
    if (petition.id < 1 || petition.id > max_id) {
      spdlog::error("text index: petition {} lies outside the index's range and is not searchable", petition.id);
      continue;
    }
    const auto docid = docid_of(petition.id);
    // A petition read again unchanged (a pass overlapping the last, a restart) is left as it is: Xapian's
    // replace_document() would take every posting out and put it back.
    auto terms = petition.terms;
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    if (holds_exactly(*writer_, docid, terms)) continue;
    Xapian::Document document;
    for (const auto& term : terms) document.add_boolean_term(term);
    writer_->replace_document(docid, document);
  }
}

void TextIndex::commit(const std::vector<std::pair<std::string, std::string>>& metadata) {
  for (const auto& [key, value] : metadata) writer_->set_metadata(key, value);
  writer_->commit();
}

// Read through a reader, as committed: the writer belongs to the follower's thread.
std::string TextIndex::metadata(const std::string& key) const {
  return readers_->with([&](Xapian::Database& db) { return db.get_metadata(key); });
}

std::uint64_t TextIndex::documents() const {
  return readers_->with([](Xapian::Database& db) { return static_cast<std::uint64_t>(db.get_doccount()); });
}

TextMatches TextIndex::search(const TextQuery& query) const {
  TextMatches out;
  if (query.required.empty() || query.count == 0) return out;
  if (query.below_id && *query.below_id <= 1) return out;
  Xapian::Query q(Xapian::Query::OP_AND, query.required.begin(), query.required.end());
  for (const auto& group : query.any_of) q = Xapian::Query(Xapian::Query::OP_FILTER, q, any_of(group));
  if (query.below_id) {
    auto* from = new DocidsFrom(docid_of(std::min(*query.below_id - 1, max_id)));
    q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(from->release()));
  }
  return readers_->with([&](Xapian::Database& db) {
    Xapian::Enquire enquire(db);
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

}  // namespace petitiond::search
