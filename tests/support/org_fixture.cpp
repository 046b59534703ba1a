#include "tests/support/org_fixture.hpp"

#include "schemas/embedded.hpp"
#include "server/auth/secrets.hpp"
#include "server/pg/blocking_connection.hpp"
#include "server/pg/migrations.hpp"

namespace petitiond::test {

OrgFixture::OrgFixture() {
  pg::migrate(db.url(), pg::shipped_schema());
  pg::BlockingConnection conn(db.url());
  conn.exec(
      "INSERT INTO units (code, name, kind) VALUES ('D', '测试区', 'area');"
      "INSERT INTO units (code, name, kind, parent_id) SELECT 'D-MZ', '民政局', 'department', id FROM units WHERE code "
      "= 'D';"
      "INSERT INTO units (code, name, kind, parent_id) SELECT 'T1', '一镇', 'area', id FROM units WHERE code = 'D';"
      "INSERT INTO units (code, name, kind, parent_id) SELECT 'T2', '二镇', 'area', id FROM units WHERE code = 'D';"
      "INSERT INTO units (code, name, kind, parent_id) SELECT 'V1', '一村', 'area', id FROM units WHERE code = 'T1';"
      "INSERT INTO units (code, name, kind, parent_id) SELECT 'V2', '二村', 'area', id FROM units WHERE code = 'T2';");
  const auto hash = auth::hash_password(fixture_password);
  struct Seed {
    const char* login;
    const char* unit;
    const char* roles;
    const char* phone;
  };
  const Seed seeds[] = {
      {"admin", "D", "{admin}", "13900000001"},         {"district.manager", "D", "{manager}", "13900000002"},
      {"t1.manager", "T1", "{manager}", "13900000003"}, {"t2.manager", "T2", "{manager}", "13900000004"},
      {"t1.handler", "T1", "{handler}", "13900000005"}, {"v1.handler", "V1", "{handler}", "13900000006"},
      {"v2.handler", "V2", "{handler}", "13900000007"}, {"mz.handler", "D-MZ", "{handler}", "13900000008"},
      {"operator", "D", "{operator}", "13900000009"},   {"proxy", "V1", "{proxy}", "13900000010"},
  };
  for (const auto& seed : seeds) {
    auto result = conn.exec(
        "INSERT INTO users (login, display_name, phone, unit_id, roles, password_hash)"
        " SELECT $1, 'User ' || $1, $4, id, $3::text[], $5 FROM units WHERE code = $2 RETURNING id, "
        " (SELECT path::text FROM units WHERE code = $2)",
        {seed.login, seed.unit, seed.roles, seed.phone, hash});
    Actor actor;
    actor.user_id = result.integer(0, 0);
    actor.login = seed.login;
    actor.unit_path = result.text(0, 1);
    std::string roles = seed.roles;
    for (auto role : all_roles)
      if (roles.find(role_name(role)) != std::string::npos) actor.roles.insert(role);
    user_ids[seed.login] = actor.user_id;
    actors[seed.login] = actor;
  }
}

Actor OrgFixture::actor(const std::string& login) const { return actors.at(login); }

}  // namespace petitiond::test
