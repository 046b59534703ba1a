#pragma once
#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "server/pg/pool.hpp"

namespace petitiond::store {

// The newest numbered migration the database has (0: none yet). Throws as the pool does when it cannot ask.
boost::asio::awaitable<std::int64_t> applied_schema_version(pg::Pool& pool);

}  // namespace petitiond::store
