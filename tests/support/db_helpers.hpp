#pragma once
// Small reads and writes HTTP tests make straight on the database.
#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "server/pg/blocking_connection.hpp"

namespace petitiond::test {

// The single integer a query answers (a count, a sum, one column of one row).
inline std::int64_t count(pg::BlockingConnection& db, const std::string& sql) { return db.exec(sql).integer(0, 0); }

// Sets a row of the settings table, as an admin would.
inline void set_setting(pg::BlockingConnection& db, const std::string& key, const boost::json::object& value) {
  db.exec(
      "INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      {key, boost::json::serialize(value)});
}

}  // namespace petitiond::test
