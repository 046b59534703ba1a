#include "server/app/demo.hpp"

#include <spdlog/spdlog.h>

#include "schemas/embedded.hpp"
#include "server/app/offline.hpp"
#include "server/api/unit_files.hpp"
#include "server/auth/secrets.hpp"
#include "server/pg/blocking_connection.hpp"
#include "server/store/units.hpp"
#include "server/store/users.hpp"
#include "core/error.hpp"

namespace petitiond::app {
namespace {

struct DemoUser {
  const char* login;
  const char* name;
  const char* phone;
  const char* unit;
  RoleSet roles;
  const char* what;
};

// One account per role, and for handlers and managers one at each level plus a peer elsewhere, so that
// jurisdiction can be tried out.
const DemoUser demo_users[] = {
    {"admin", "系统管理员", "13800000001", "QS-CL", {Role::admin}, "admin, district federation"},
    {"hotline1", "热线话务员王芳", "13800000002", "QS-CL-RX", {Role::operator_}, "12385 hotline operator"},
    {"reception1", "接待员李明", "13800000003", "QS-CL", {Role::operator_}, "walk-in reception desk"},
    {"district.manager", "区残联主任张华", "13800000004", "QS", {Role::manager}, "manager over the whole district"},
    {"mz.handler", "民政局经办人赵强", "13800000005", "QS-MZ", {Role::handler}, "handler, civil affairs bureau"},
    {"t01.manager",
     "镇残联理事长陈静",
     "13800000006",
     "QS-T01",
     {Role::manager, Role::handler},
     "manager and handler, town T01"},
    {"t01.handler", "镇残联专干刘洋", "13800000007", "QS-T01", {Role::handler}, "handler, town T01"},
    {"t02.handler", "镇残联专干周敏", "13800000008", "QS-T02", {Role::handler}, "handler, town T02"},
    {"v0101.handler", "村残协专职委员孙丽", "13800000009", "QS-T01-V01", {Role::handler}, "handler, village T01-V01"},
    {"proxy1", "村干部代理人吴刚", "13800000010", "QS-T01-V01", {Role::proxy}, "petition proxy (village cadre)"},
    {"xfj.manager",
     "区信访局复查科科长何平",
     "13800000011",
     "QS-XFJ",
     {Role::manager},
     "manager, district petition office (decides reviews of departments' replies)"},
    {"fy.handler", "法律援助中心律师郑洁", "13800000013", "QS-SF-FY", {Role::handler}, "handler, legal-aid centre"},
    {"fy-t01.handler",
     "宝场镇法律援助工作站主任冯伟",
     "13800000014",
     "QS-SF-FY-T01",
     {Role::handler},
     "handler, legal-aid station of town T01"},
    {"fy-t01-v01.handler",
     "乐湾村法律援助联系人韩梅",
     "13800000015",
     "QS-SF-FY-T01-V01",
     {Role::handler},
     "handler, legal-aid contact point of village T01-V01"},
    {"jw.manager",
     "区纪委监委信访室主任蒋明",
     "13800000012",
     "QS-JW",
     {Role::manager, Role::handler},
     "manager and handler, discipline inspection office (complaints about the district itself)"},
};

boost::asio::awaitable<int> load_units_and_users(pg::Pool& pool, std::vector<store::UnitInput> units) {
  store::UnitStore unit_store(pool);
  store::UserStore user_store(pool);
  store::AuditEvent audit;
  audit.action = "units.imported";
  audit.actor_login = "demo";
  audit.target_type = "file";
  audit.target_id = "schemas/demo/units.yaml";
  co_await unit_store.import(std::move(units), audit);
  int created = 0;
  const auto hash = auth::hash_password(demo_password);
  for (const auto& user : demo_users) {
    if (co_await user_store.login_record(user.login)) continue;
    store::AuditEvent event;
    event.action = "user.created";
    event.actor_login = "demo";
    // Named, not braced into the call: GCC 12 destroys braced temporaries in co_await expressions twice.
    store::NewUser new_user{user.login, user.name, user.phone, user.unit, user.roles};
    co_await user_store.create(std::move(new_user), hash, event);
    ++created;
  }
  co_return created;
}

}  // namespace

void load_demo_data(const std::string& database_url) {
  std::vector<store::UnitInput> units;
  {
    pg::BlockingConnection db(database_url);
    for (const auto& file : schemas::demo()) {
      if (file.name.ends_with("units.yaml")) {
        units = api::parse_units_yaml(file.content);
        continue;
      }
      db.exec("BEGIN");
      try {
        db.exec(std::string(file.content));
        db.exec("COMMIT");
      } catch (const Error& e) {
        db.exec("ROLLBACK");
        throw Error(Errc::internal, "demo data " + std::string(file.name) + " failed: " + e.message());
      }
    }
  }
  auto unit_count = units.size();
  int created =
      run_offline<int>(database_url, [&units](pg::Pool& pool) { return load_units_and_users(pool, std::move(units)); });
  spdlog::info("demo data loaded: {} units, {} demo users created", unit_count, created);
}

std::string demo_login_help() {
  std::string help = "demo log-ins (password " + std::string(demo_password) + "):";
  for (const auto& user : demo_users) help += "\n  " + std::string(user.login) + " — " + user.what;
  return help;
}

}  // namespace petitiond::app
