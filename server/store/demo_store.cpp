#include "server/store/demo_store.hpp"

namespace petitiond::store {

boost::asio::awaitable<bool> DemoStore::has_petitions() {
  pg::Statement query("SELECT EXISTS (SELECT 1 FROM petitions)");
  auto found = co_await pool_.run_one(std::move(query));
  co_return found.text(0, 0) == "t";
}

boost::asio::awaitable<std::vector<StaffMember>> DemoStore::staff() {
  pg::Statement query(
      "SELECT u.id, u.login, u.display_name, u.unit_id, un.path::text, un.code, u.roles::text[] FROM users u"
      " JOIN units un ON un.id = u.unit_id WHERE u.active ORDER BY u.id");
  auto users = co_await pool_.run_one(std::move(query));
  std::vector<StaffMember> out;
  for (int row = 0; row < users.rows(); ++row) {
    StaffMember member;
    member.actor.user_id = users.integer(row, 0);
    member.actor.login = users.text(row, 1);
    member.actor.display_name = users.text(row, 2);
    member.actor.unit_id = users.integer(row, 3);
    member.actor.unit_path = users.text(row, 4);
    member.unit_code = users.text(row, 5);
    for (const auto& name : users.words(row, 6))
      if (auto role = parse_role(name)) member.actor.roles.insert(*role);
    out.push_back(std::move(member));
  }
  co_return out;
}

boost::asio::awaitable<void> DemoStore::settle_outbox() {
  pg::Statement settle("UPDATE outbox SET state = 'delivered', delivered_at = now() WHERE state = 'pending'");
  co_await pool_.run_one(std::move(settle));
}

}  // namespace petitiond::store
