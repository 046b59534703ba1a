#pragma once
// Petitions as the public may see them through Open311 (GeoReport v2): only those filed on the web, never
// an accusation (a complaint or report, or one naming units), and nothing of the person who filed it. The
// rule is `publicly_listed()`, here and nowhere else.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"

namespace petitiond::store {

struct PublicRequest {
  std::string tracking_code, category, type, state, workflow, content;
  int workflow_version = 0;
  std::optional<std::string> agency;  // the responsible unit's name
  std::string received_at, updated_at;
  std::optional<std::string> closed_at, due_at;
};

struct PublicRequestQuery {
  std::vector<std::string> tracking_codes;  // when given, the other filters are ignored (the spec's rule)
  std::optional<std::string> category;
  std::int64_t from = 0, until = 0;  // received in [from, until), epoch seconds
  std::optional<bool> closed;        // nullopt: both
  int limit = 1000;
  std::string address;  // the client's: each look-up counts against the portal's lookups limit
};

// The SQL condition under which petition `p` may be shown to anyone.
std::string publicly_listed(const std::string& p);

class PublicRequestStore {
 public:
  explicit PublicRequestStore(pg::Pool& pool) : pool_(pool) {}
  // Newest first.
  boost::asio::awaitable<std::vector<PublicRequest>> find(PublicRequestQuery query);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
