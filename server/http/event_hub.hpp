#pragma once
// In-process fan-out of server-sent events to the streams of signed-in users: calls ringing for the
// operators, and (later) in-app notifications for one user. Each subscriber has a bounded queue; a
// slow client loses the oldest events rather than holding memory.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/http/types.hpp"

namespace petitiond::http {

struct ServerEvent {
  std::string name;                    // the SSE event name, e.g. "call"
  std::string data;                    // JSON, one line
  RoleSet roles;                       // delivered to users holding any of these roles …
  std::vector<std::int64_t> user_ids;  // … or to these users
};

// Who is behind the subscriber's credential now (nullopt: logged out, disabled, revoked, expired).
using ActorCheck = std::function<asio::awaitable<std::optional<Actor>>()>;

class EventHub {
 public:
  class Subscription;

  // A subscription for `actor`, woken on `executor` (the connection's strand). Before each delivery and
  // each heartbeat the stream asks `check` again: the stream ends when the credential no longer stands,
  // and events go only to the roles the user holds at that moment.
  std::shared_ptr<Subscription> subscribe(asio::any_io_executor executor, const Actor& actor, ActorCheck check);
  void publish(const ServerEvent& event);
  // Ends every stream (server shutdown).
  void close();

  // Streams events to `sink` until the client leaves or the hub closes, with a comment line every
  // `heartbeat` so that proxies keep the connection open and a vanished client is noticed.
  asio::awaitable<void> stream(std::shared_ptr<Subscription> subscription, EventSink& sink,
                               std::chrono::seconds heartbeat = std::chrono::seconds(15));

 private:
  void remove(Subscription* subscription);

  mutable std::mutex mutex_;
  std::list<std::weak_ptr<Subscription>> subscriptions_;
  bool closed_ = false;
};

}  // namespace petitiond::http
