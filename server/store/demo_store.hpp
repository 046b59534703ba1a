#pragma once
// What the demo's made-up history (server/app/demo_history.cpp) reads and settles: whether there are petitions
// yet, the active staff as actors with their units, and the outbox marked delivered afterwards.
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "workflow/roles.hpp"

namespace petitiond::store {

struct StaffMember {
  Actor actor;
  std::string unit_code;
};

class DemoStore {
 public:
  explicit DemoStore(pg::Pool& pool) : pool_(pool) {}

  boost::asio::awaitable<bool> has_petitions();
  boost::asio::awaitable<std::vector<StaffMember>> staff();
  // Every pending outbox message counts as delivered: a made-up year sends no texts at the first start.
  boost::asio::awaitable<void> settle_outbox();

 private:
  pg::Pool& pool_;
};

}  // namespace petitiond::store
