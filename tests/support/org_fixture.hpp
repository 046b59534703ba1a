#pragma once
// A migrated test database holding a small organisation: district D with department D-MZ, towns T1 and
// T2, villages V1 (in T1) and V2 (in T2), and one user per role and place. Every user's password is
// `fixture_password`.
#include <map>
#include <string>

#include "tests/support/test_database.hpp"
#include "workflow/roles.hpp"

namespace petitiond::test {

inline constexpr const char* fixture_password = "fixture-password";

struct OrgFixture {
  OrgFixture();
  TestDatabase db;
  std::map<std::string, std::int64_t> user_ids;  // by login
  // Users: admin (D), district.manager (D), t1.manager (T1), t2.manager (T2), t1.handler (T1),
  // v1.handler (V1), v2.handler (V2), mz.handler (D-MZ), operator (D), proxy (V1).
  Actor actor(const std::string& login) const;  // as the store would see them (path and roles)
  std::map<std::string, Actor> actors;
};

}  // namespace petitiond::test
