#pragma once
// Each user's in-app messages, newest first, for the bell on every page (docs/notifications.md, "In the
// app"): as they were shown when sent, whether read, and the petition each is about — listed only while
// the reader may still see that petition.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "workflow/roles.hpp"

namespace petitiond::store {

struct InboxMessage {
  std::int64_t id = 0;
  std::string at;  // when it was sent
  std::string topic, title, text;
  std::optional<std::int64_t> petition_id;
  std::optional<std::string> tracking_code;
  bool read = false;
};

struct Inbox {
  std::vector<InboxMessage> messages;
  std::int64_t unread = 0;  // of all the reader's messages, not only this page's
};

class InboxStore {
 public:
  explicit InboxStore(pg::Pool& pool) : pool_(pool) {}
  // A page of messages older than `before` (a message id), and the unread count.
  boost::asio::awaitable<Inbox> list(Actor reader, int limit, std::optional<std::int64_t> before);
  // Marks these of the reader's messages read (all of them when none are named); returns the unread left.
  boost::asio::awaitable<std::int64_t> mark_read(Actor reader, std::optional<std::vector<std::int64_t>> ids);

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
