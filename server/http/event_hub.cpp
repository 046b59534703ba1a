#include "server/http/event_hub.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace petitiond::http {

constexpr std::size_t queue_limit = 100;

class EventHub::Subscription {
 public:
  Subscription(asio::any_io_executor executor, const Actor& actor)
      : wake(executor), roles(actor.roles), user_id(actor.user_id) {}

  bool wants(const ServerEvent& event) const { return event.roles.intersects(roles) || event.user_id == user_id; }

  void push(std::string text) {
    {
      std::lock_guard lock(mutex);
      if (queue.size() >= queue_limit) queue.pop_front();
      queue.push_back(std::move(text));
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
  std::mutex mutex;
  std::deque<std::string> queue;
  bool ended = false;
  std::weak_ptr<Subscription> weak_self;
};

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(asio::any_io_executor executor, const Actor& actor) {
  auto subscription = std::make_shared<Subscription>(std::move(executor), actor);
  subscription->weak_self = subscription;
  std::lock_guard lock(mutex_);
  if (closed_) subscription->ended = true;
  subscriptions_.push_back(subscription);
  return subscription;
}

void EventHub::publish(const ServerEvent& event) {
  std::string text = "event: " + event.name + "\ndata: " + event.data + "\n\n";
  std::lock_guard lock(mutex_);
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    auto subscription = it->lock();
    if (!subscription) {
      it = subscriptions_.erase(it);
      continue;
    }
    if (subscription->wants(event)) subscription->push(text);
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

asio::awaitable<void> EventHub::stream(std::shared_ptr<Subscription> subscription, EventSink& sink,
                                       std::chrono::seconds heartbeat) {
  bool open = co_await sink.send(": connected\n\n");
  while (open && !sink.stopping()) {
    std::deque<std::string> batch;
    bool ended = false;
    {
      std::lock_guard lock(subscription->mutex);
      batch.swap(subscription->queue);
      ended = subscription->ended;
    }
    for (const auto& text : batch) {
      open = co_await sink.send(text);
      if (!open) break;
    }
    if (ended || !open) break;
    if (!batch.empty()) continue;
    subscription->wake.expires_after(heartbeat);
    auto [ec] = co_await subscription->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec) open = co_await sink.send(": keep-alive\n\n");
  }
  remove(subscription.get());
}

}  // namespace petitiond::http
