#include "server/store/schema_version.hpp"

#include "server/pg/error.hpp"

namespace petitiond::store {

boost::asio::awaitable<std::int64_t> applied_schema_version(pg::Pool& pool) {
  try {
    auto result = co_await pool.run_one("SELECT coalesce(max(version), 0) FROM schema_migrations");
    co_return result.integer(0, 0);
  } catch (const pg::QueryError& e) {
    if (!e.is(pg::sqlstate::undefined_table)) throw;
  }
  co_return 0;  // nothing migrated yet
}

}  // namespace petitiond::store
