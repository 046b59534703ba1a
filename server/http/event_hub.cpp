#include "server/http/event_hub.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace petitiond::http {

namespace {

constexpr std::size_t queue_limit = 100;

bool addressed_to(const ServerEvent& event, const RoleSet& roles, std::int64_t user_id) {
  return event.roles.intersects(roles) ||
         std::find(event.user_ids.begin(), event.user_ids.end(), user_id) != event.user_ids.end();
}

}  // namespace

class EventHub::Subscription {
 public:
  Subscription(asio::any_io_executor executor, const Actor& actor, ActorCheck recheck)
      : wake(executor), roles(actor.roles), user_id(actor.user_id), check(std::move(recheck)) {}

  bool wants(const ServerEvent& event) const {
    std::lock_guard lock(mutex);
    return addressed_to(event, roles, user_id);
  }

  void push(const ServerEvent& event) {
    {
      std::lock_guard lock(mutex);
      if (queue.size() >= queue_limit) queue.pop_front();
      queue.push_back(event);
    }
    notify();
  }
  void end() {
    {
      std::lock_guard lock(mutex);
      ended = true;
    }
    notify();
  }
  void notify() {
    asio::post(wake.get_executor(), [this, self = weak_self] {
      if (auto alive = self.lock()) wake.cancel();
    });
  }

  asio::steady_timer wake;
  RoleSet roles;
  std::int64_t user_id;
  ActorCheck check;
  mutable std::mutex mutex;
  std::deque<ServerEvent> queue;
  bool ended = false;
  std::weak_ptr<Subscription> weak_self;
};

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(asio::any_io_executor executor, const Actor& actor,
                                                            ActorCheck check) {
  auto subscription = std::make_shared<Subscription>(std::move(executor), actor, std::move(check));
  subscription->weak_self = subscription;
  std::lock_guard lock(mutex_);
  if (closed_) subscription->ended = true;
  subscriptions_.push_back(subscription);
  return subscription;
}

void EventHub::publish(const ServerEvent& event) {
  std::lock_guard lock(mutex_);
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    auto subscription = it->lock();
    if (!subscription) {
      it = subscriptions_.erase(it);
      continue;
    }
    if (subscription->wants(event)) subscription->push(event);
    ++it;
  }
}

void EventHub::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (auto& weak : subscriptions_)
    if (auto subscription = weak.lock()) subscription->end();
}

void EventHub::remove(Subscription* subscription) {
  std::lock_guard lock(mutex_);
  subscriptions_.remove_if([subscription](const std::weak_ptr<Subscription>& weak) {
    auto alive = weak.lock();
    return !alive || alive.get() == subscription;
  });
}

// Asks again who the subscriber is; false when the right to the stream is gone. Fresh roles apply to
// what is delivered from now on.
static asio::awaitable<bool> still_allowed(EventHub::Subscription& subscription) {
  if (!subscription.check) co_return true;
  std::optional<Actor> actor;
  try {
    actor = co_await subscription.check();
  } catch (const std::exception&) {
    co_return false;  // cannot tell (the database is down): end the stream; the client reconnects
  }
  if (!actor || actor->user_id != subscription.user_id) co_return false;
  std::lock_guard lock(subscription.mutex);
  subscription.roles = actor->roles;
  co_return true;
}

asio::awaitable<void> EventHub::stream(std::shared_ptr<Subscription> subscription, EventSink& sink,
                                       std::chrono::seconds heartbeat) {
  bool open = co_await sink.send(": connected\n\n");
  while (open && !sink.stopping()) {
    std::deque<ServerEvent> batch;
    bool ended = false;
    {
      std::lock_guard lock(subscription->mutex);
      batch.swap(subscription->queue);
      ended = subscription->ended;
    }
    if (ended) break;
    if (!batch.empty()) {
      if (!co_await still_allowed(*subscription)) break;
      for (const auto& event : batch) {
        if (!subscription->wants(event)) continue;  // a role taken away since it was queued
        const auto text = "event: " + event.name + "\ndata: " + event.data + "\n\n";
        open = co_await sink.send(text);
        if (!open) break;
      }
      continue;
    }
    subscription->wake.expires_after(heartbeat);
    auto [ec] = co_await subscription->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) continue;  // woken by an event
    if (!co_await still_allowed(*subscription)) break;
    open = co_await sink.send(": keep-alive\n\n");
  }
  remove(subscription.get());
}

}  // namespace petitiond::http
