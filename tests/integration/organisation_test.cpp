#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "server/pg/blocking_connection.hpp"
#include "server/pg/error.hpp"
#include "server/store/auth.hpp"
#include "server/store/units.hpp"
#include "server/store/users.hpp"
#include "tests/support/async.hpp"
#include "tests/support/org_fixture.hpp"

using namespace petitiond;
using namespace std::chrono_literals;
using petitiond::test::run_async;
namespace asio = boost::asio;

namespace {

pg::PoolOptions options(const std::string& url) {
  pg::PoolOptions o;
  o.connect = {url, 2000ms, 5000ms, "organisation-test"};
  o.max_size = 2;
  return o;
}

store::AuditEvent audit(std::string action) {
  store::AuditEvent event;
  event.action = std::move(action);
  event.actor_login = "test";
  return event;
}

std::int64_t count(const std::string& url, const std::string& sql) {
  return pg::BlockingConnection(url).exec(sql).integer(0, 0);
}

template <typename T>
std::optional<Errc> error_of(asio::awaitable<T> task) {
  try {
    run_async(std::move(task));
  } catch (const Error& e) {
    return e.errc();
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("the audit log refuses updates, deletes and truncation, even from a superuser") {
  test::OrgFixture org;
  pg::BlockingConnection conn(org.db.url());
  conn.exec("INSERT INTO audit_log (action) VALUES ('test.event')");
  CHECK_THROWS_WITH(conn.exec("UPDATE audit_log SET action = 'forged'"), Catch::Matchers::Contains("append-only"));
  CHECK_THROWS_WITH(conn.exec("DELETE FROM audit_log"), Catch::Matchers::Contains("append-only"));
  CHECK_THROWS_WITH(conn.exec("TRUNCATE audit_log"), Catch::Matchers::Contains("append-only"));
  CHECK(conn.exec("SELECT count(*) FROM audit_log WHERE action = 'test.event'").integer(0, 0) == 1);
}

TEST_CASE("moving a unit carries its subtree, and a unit cannot move under itself") {
  test::OrgFixture org;
  pg::Pool pool(options(org.db.url()));
  store::UnitStore units(pool);
  auto moved = run_async([&]() -> asio::awaitable<store::Unit> {
    store::UnitChange change;
    change.parent_code = "T2";
    co_return co_await units.update("T1", change, audit("unit.moved"));
  }());
  CHECK(moved.parent_code == "T2");
  CHECK(moved.depth == 3);
  pg::BlockingConnection conn(org.db.url());
  CHECK(conn.exec("SELECT u.path <@ t.path FROM units u, units t WHERE u.code = 'V1' AND t.code = 'T2'").boolean(0, 0));
  CHECK(conn.exec("SELECT nlevel(path) FROM units WHERE code = 'V1'").integer(0, 0) == 4);

  auto cycle = error_of([&]() -> asio::awaitable<void> {
    store::UnitChange change;
    change.parent_code = "V1";
    co_await units.update("T2", change, audit("unit.moved"));
  }());
  CHECK(cycle == Errc::invalid_field);
  auto under_department = error_of([&]() -> asio::awaitable<void> {
    store::UnitChange change;
    change.parent_code = "D-MZ";
    co_await units.update("T2", change, audit("unit.moved"));
  }());
  CHECK(under_department == Errc::invalid_field);
  CHECK(count(org.db.url(), "SELECT count(*) FROM audit_log WHERE action = 'unit.moved'") == 1);  // failures leave none
}

TEST_CASE("subtree queries use the path index") {
  test::OrgFixture org;
  pg::BlockingConnection conn(org.db.url());
  conn.exec("SET enable_seqscan = off");  // a handful of rows would not need an index; a district does
  auto plan = conn.exec("EXPLAIN SELECT code FROM units WHERE path <@ (SELECT path FROM units WHERE code = 'T1')");
  std::string text;
  for (int row = 0; row < plan.rows(); ++row) text += std::string(plan.text(row, 0)) + "\n";
  CAPTURE(text);
  CHECK(text.find("units_path") != std::string::npos);
}

TEST_CASE("a unit with active sub-units or users cannot be deactivated") {
  test::OrgFixture org;
  pg::Pool pool(options(org.db.url()));
  store::UnitStore units(pool);
  auto deactivate = [&](std::string code) {
    return error_of([&, code]() -> asio::awaitable<void> {
      store::UnitChange change;
      change.active = false;
      co_await units.update(code, change, audit("unit.deactivated"));
    }());
  };
  CHECK(deactivate("T1") == Errc::invalid_field);  // V1 is active
  CHECK(deactivate("V1") == Errc::invalid_field);  // v1.handler and proxy are active
  pg::BlockingConnection(org.db.url())
      .exec("UPDATE users SET active = false WHERE unit_id = (SELECT id FROM units WHERE code = 'V1')");
  CHECK_FALSE(deactivate("V1").has_value());
  CHECK(deactivate("NOPE") == Errc::not_found);
}

TEST_CASE("which users an actor sees is decided in the query") {
  test::OrgFixture org;
  pg::Pool pool(options(org.db.url()));
  store::UserStore users(pool);
  auto visible = [&](const std::string& login) {
    auto list = run_async(users.list(org.actor(login), {}));
    std::set<std::string> logins;
    for (const auto& user : list) logins.insert(user.login);
    return logins;
  };
  CHECK(visible("admin").size() == 10);
  CHECK(visible("district.manager").size() == 10);
  CHECK(visible("t1.manager") == std::set<std::string>{"t1.manager", "t1.handler", "v1.handler", "proxy"});
  CHECK(visible("t2.manager") == std::set<std::string>{"t2.manager", "v2.handler"});
  CHECK(visible("v1.handler") == std::set<std::string>{"v1.handler"});
  CHECK(visible("operator") == std::set<std::string>{"operator"});

  auto v2 = org.user_ids.at("v2.handler");
  CHECK_FALSE(run_async(users.find(org.actor("t1.manager"), v2)).has_value());
  CHECK(run_async(users.find(org.actor("t2.manager"), v2)).has_value());

  // A change to a user outside one's view is "not found" and leaves no audit row.
  auto outside = error_of([&]() -> asio::awaitable<void> {
    store::UserChange change;
    change.display_name = "hijacked";
    co_await users.update(org.actor("t1.manager"), v2, change, audit("user.updated"));
  }());
  CHECK(outside == Errc::not_found);
  CHECK(count(org.db.url(), "SELECT count(*) FROM audit_log WHERE action = 'user.updated'") == 0);
  CHECK(count(org.db.url(), "SELECT count(*) FROM users WHERE display_name = 'hijacked'") == 0);
}

TEST_CASE("disabling a user ends their sessions, sessions expire when idle and at their lifetime") {
  test::OrgFixture org;
  pg::Pool pool(options(org.db.url()));
  store::AuthStore auth(pool, {std::chrono::seconds(1), std::chrono::seconds(3)}, {});
  store::UserStore users(pool);
  const auto v1 = org.user_ids.at("v1.handler");
  run_async(auth.open_session(v1, "session-a", "csrf-a", "127.0.0.1", audit("login.succeeded")));
  auto actor = run_async(auth.session_actor("session-a"));
  REQUIRE(actor.has_value());
  CHECK(actor->login == "v1.handler");
  CHECK(actor->csrf_token == "csrf-a");
  CHECK_FALSE(run_async(auth.session_actor("session-b")).has_value());

  // Kept alive by use, the session still ends at its absolute lifetime.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(500ms);
    CHECK(run_async(auth.session_actor("session-a")).has_value());
  }
  std::this_thread::sleep_for(600ms);
  CHECK_FALSE(run_async(auth.session_actor("session-a")).has_value());

  run_async(auth.open_session(v1, "session-c", "csrf-c", "", audit("login.succeeded")));
  std::this_thread::sleep_for(1300ms);
  CHECK_FALSE(run_async(auth.session_actor("session-c")).has_value());  // idle too long

  run_async(auth.open_session(v1, "session-d", "csrf-d", "", audit("login.succeeded")));
  store::UserChange disable;
  disable.active = false;
  run_async(users.update(org.actor("admin"), v1, disable, audit("user.disabled")));
  CHECK_FALSE(run_async(auth.session_actor("session-d")).has_value());
}

TEST_CASE("API tokens act for their user until revoked, only the owner or an admin revokes") {
  test::OrgFixture org;
  pg::Pool pool(options(org.db.url()));
  store::AuthStore auth(pool, {}, {});
  auto admin = org.actor("admin");
  auto event = audit("token.created");
  event.actor_id = admin.user_id;
  auto token =
      run_async(auth.create_token(org.user_ids.at("operator"), "phone system", {Scope::cti}, "secret-1", event));
  CHECK(token.user_login == "operator");
  auto actor = run_async(auth.token_actor("secret-1"));
  REQUIRE(actor.has_value());
  CHECK(actor->token_id == token.id);
  CHECK(actor->has_scope(Scope::cti));
  CHECK_FALSE(actor->has_scope(Scope::write));

  CHECK(error_of(auth.revoke_token(org.actor("v1.handler"), token.id, audit("token.revoked"))) == Errc::not_found);
  CHECK(run_async(auth.list_tokens(org.actor("v1.handler"))).empty());
  CHECK(run_async(auth.list_tokens(org.actor("operator"))).size() == 1);
  run_async(auth.revoke_token(org.actor("operator"), token.id, audit("token.revoked")));
  CHECK_FALSE(run_async(auth.token_actor("secret-1")).has_value());
  CHECK(error_of(auth.revoke_token(admin, token.id, audit("token.revoked"))) == Errc::not_found);  // already revoked
}

TEST_CASE("log-in attempts are limited per account and address, per address, and per account from unknown addresses") {
  test::OrgFixture org;
  pg::Pool pool(options(org.db.url()));
  store::ThrottlePolicy policy;
  policy.pair_attempts = 3;
  policy.address_attempts = 5;
  policy.account_attempts = 4;
  policy.window = std::chrono::seconds(2);
  policy.account_window = std::chrono::seconds(2);
  store::AuthStore auth(pool, {}, policy);
  auto reserve = [&](const char* login, const char* address) { return run_async(auth.reserve_login(login, address)); };
  // The owner logged in from 10.0.0.9 before: that address is theirs.
  auto signed_in = audit("login.succeeded");
  signed_in.actor_login = "t1.handler";
  run_async(auth.open_session(org.user_ids.at("t1.handler"), "session-1", "csrf-1", "10.0.0.9", signed_in));

  for (int i = 0; i < 3; ++i) CHECK(reserve("t1.handler", "10.0.0.1"));
  CHECK_FALSE(reserve("t1.handler", "10.0.0.1"));  // the account from this address
  CHECK(reserve("t1.handler", "10.0.0.2"));        // from elsewhere it may, up to the account's ceiling …
  CHECK_FALSE(reserve("t1.handler", "10.0.0.3"));  // … of 4 from unknown addresses
  CHECK(reserve("t1.handler", "10.0.0.9"));        // but never from the owner's own address
  CHECK(reserve("v1.handler", "10.0.0.3"));        // other accounts are unaffected
  // The address, whichever account: 3 to t1.handler (and one refused, not counted) and 2 more.
  CHECK(reserve("nobody0", "10.0.0.1"));
  CHECK(reserve("nobody1", "10.0.0.1"));
  CHECK_FALSE(reserve("v1.handler", "10.0.0.1"));
  std::this_thread::sleep_for(2100ms);
  CHECK(reserve("t1.handler", "10.0.0.1"));  // the windows have passed
}
