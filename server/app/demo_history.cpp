// A year of the demo district's petitions, made through the same store and workflow the server uses, so that
// every state, deadline, escalation, timeline entry and report fact is one the product itself would have
// written. A simulated clock walks the year: petitions arrive by channel at the hours people call, write and
// visit; operators accept and dispatch them, units sign for them, some return or ask for more time, most reply
// in time and some late (the escalation rules fire as the clock passes their points), the hotline calls back
// and records satisfaction, and a few dissatisfied petitioners get the matter redone or ask for a review.
// Whatever would happen after today has not happened yet: those petitions are the open work. Deterministic.
#include "server/app/demo_history.hpp"

#include "server/app/demo.hpp"
#include "server/app/offline.hpp"
#include <spdlog/spdlog.h>

#include <queue>
#include <random>

#include "core/error.hpp"
#include "server/auth/secrets.hpp"
#include "server/store/demo_store.hpp"
#include "server/store/petitions.hpp"
#include "server/store/units.hpp"
#include "server/store/users.hpp"
#include "workflow/calendar.hpp"
#include "workflow/identity.hpp"

namespace petitiond::app {
namespace {

using workflow::Instant;
using namespace std::chrono_literals;

struct Matter {
  const char* category;
  const char* subject;
  const char* content;
};

// What the district's disabled people and their families raise, by category (fictional, typical).
const Matter matters[] = {
    {"minimum_living", "申请低保被告知不符合条件",
     "家中两口人均为残疾人，收入仅靠护理补贴，去年申请低保被村里告知不符合条件，想了解具体原因和复核办法。"},
    {"minimum_living", "临时救助申请迟迟未批",
     "上月因住院花费较大，向镇里申请临时救助，材料已交齐，至今没有消息，请帮忙催办。"},
    {"subsidies", "两项补贴本季度未到账",
     "本人为一级肢体残疾，困难残疾人生活补贴和重度残疾人护理补贴本季度都没有到账，银行查询无记录。"},
    {"subsidies", "护理补贴标准咨询", "母亲为二级智力残疾，想问重度残疾人护理补贴的发放标准和申请需要哪些材料。"},
    {"medical", "康复治疗费用不能报销",
     "孩子在定点机构做康复训练，医保窗口说部分项目不在报销范围，请问有没有其他救助渠道。"},
    {"pension", "残疾人养老保险代缴咨询", "想了解重度残疾人城乡居民养老保险政府代缴政策，本人今年是否可以享受。"},
    {"housing", "危房改造申请", "家中土坯房年久失修，下雨漏水，家里有两名残疾人，想申请农村危房改造。"},
    {"accessibility", "小区入口台阶无坡道",
     "小区单元楼入口有五级台阶，没有坡道，坐轮椅无法进出，多次向物业反映未解决。"},
    {"accessibility", "盲道被车辆占用", "街道两侧盲道长期被电动车和汽车占用，视力残疾人出行困难，请有关部门整治。"},
    {"employment", "按比例就业岗位咨询", "本人听力残疾，大专学历，想了解区里按比例安排残疾人就业的岗位和报名方式。"},
    {"labour_dispute", "单位拖欠残疾职工工资",
     "在一家福利企业工作，单位已拖欠三个月工资，与单位沟通无果，请求帮助维权。"},
    {"rehabilitation", "辅助器具适配申请", "父亲为三级肢体残疾，轮椅已损坏无法使用，想申请免费适配一台新轮椅。"},
    {"rehabilitation", "助听器补贴咨询", "孩子为二级听力残疾，想了解助听器适配补贴的标准和定点机构。"},
    {"education", "残疾儿童入学困难", "孩子为轻度智力残疾，今年到入学年龄，附近小学以没有资源教室为由不接收。"},
    {"legal_aid", "申请法律援助", "因工伤致残与原单位发生赔偿纠纷，经济困难请不起律师，申请法律援助。"},
    {"certificate", "残疾人证换证手续", "第二代残疾人证即将到期，行动不便无法到现场，想了解能否上门办理换证。"},
    {"certificate", "残疾评定结果有异议", "上月做了残疾评定，评为四级，本人认为评定偏低，想申请重新评定。"},
    {"care_services", "日间照料机构名额", "家中有一名成年智力残疾人需要白天照护，想申请就近的日间照料机构名额。"},
    {"other", "办事窗口态度问题", "到窗口办理业务时工作人员态度生硬，解释不清，希望改进服务。"},
    {"other", "残疾人活动中心开放时间", "想了解区残疾人活动中心的开放时间和可以参加的文体活动。"},
};

const char* surnames =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢";
const char* given[] = {"秀英", "桂兰", "建国", "志强", "丽", "军", "敏",   "静",   "海燕",
                       "德明", "小红", "文华", "玉梅", "伟", "芳", "国庆", "淑珍", "永福"};

// An action's fields, made outside the coroutines (GCC 12 mishandles braced temporaries in co_await expressions).
std::map<std::string, std::string> fields() { return {}; }
std::map<std::string, std::string> fields(std::string key, std::string value) { return {{key, value}}; }
std::map<std::string, std::string> fields(std::string key1, std::string value1, std::string key2, std::string value2) {
  return {{key1, value1}, {key2, value2}};
}

// The petitioner's lifecycle as far as it has got: the next thing to do with the petition.
enum class Next {
  create,
  accept,
  dispatch,
  sign,
  resolve_return,
  extension_decision,
  reply,
  approve_reply,
  callback,
  redo_reply,
  review_decision
};

struct Case {
  store::NewPetition input;
  std::int64_t id = 0;
  int version = 0;
  std::string unit;  // the responsible unit's code
  std::string desk;  // the operator who registered it and follows it up (the hotline's for web petitions)
  Next next = Next::create;
  bool late = false;  // this unit replies after its deadline
  bool dissatisfied = false;
  bool redone = false;
};

struct Due {
  Instant at;
  std::size_t index;
  bool operator>(const Due& other) const { return at > other.at; }
};

class Simulation {
 public:
  Simulation(pg::Pool& pool, store::PetitionStore& petitions, Instant& clock, Instant until)
      : pool_(pool), petitions_(petitions), clock_(clock), until_(until) {}

  boost::asio::awaitable<int> run(Instant from) {
    co_await load_actors();
    co_await load_places();
    schedule_arrivals(from);
    Instant next_escalation_check = from;
    int acted = 0;
    while (!queue_.empty()) {
      const auto due = queue_.top();
      queue_.pop();
      if (due.at > until_) continue;  // it has not happened yet: left open
      while (next_escalation_check <= due.at) {
        clock_ = next_escalation_check;
        while (co_await petitions_.fire_escalations("demo", 500) == 500) {
        }
        next_escalation_check += 2h;
      }
      clock_ = due.at;
      try {
        co_await step(due.index);
        ++acted;
      } catch (const Error& e) {
        ++problems_[e.message()];  // the case stays where it is
      }
    }
    clock_ = until_;
    while (co_await petitions_.fire_escalations("demo", 500) == 500) {
    }
    for (const auto& [problem, count] : problems_) spdlog::info("demo: {} steps failed: {}", count, problem);
    co_return static_cast<int>(cases_.size());
  }

 private:
  double chance() { return std::uniform_real_distribution<double>(0, 1)(random_); }
  int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[between(0, static_cast<int>(N) - 1)];
  }

  // The next moment in office hours (08:30–17:30 on a weekday) at or after `at`.
  static Instant office_hours(Instant at) {
    for (int guard = 0; guard < 14; ++guard) {
      const auto day = workflow::local_date(at);
      const auto opens = workflow::at_local(day, 8h + 30min), closes = workflow::at_local(day, 17h + 30min);
      if (!workflow::is_weekend(day) && at < closes) return std::max(at, opens);
      at = workflow::at_local(day + std::chrono::days(1), 8h + 30min);
    }
    return at;
  }
  // `hours` of office time after `at` (a rough working clock: nights and weekends skipped).
  Instant after_office_hours(Instant at, double hours) {
    at = office_hours(at);
    auto left = std::chrono::seconds(static_cast<long>(hours * 3600));
    while (left > 0s) {
      const auto closes = workflow::at_local(workflow::local_date(at), 17h + 30min);
      const auto today = std::min(left, std::chrono::duration_cast<std::chrono::seconds>(closes - at));
      at += today;
      left -= today;
      if (left > 0s) at = office_hours(at + 1s);
    }
    return at;
  }
  void later(std::size_t index, Instant at) { queue_.push({at, index}); }

  // The towns and villages petitions come from (area units that are places, as the portal lists them).
  boost::asio::awaitable<void> load_places() {
    store::UnitStore units(pool_);
    const auto listed = co_await units.list(std::nullopt, false);
    for (const auto& unit : listed) {
      if (unit.kind != "area" || unit.serves || (unit.depth != 2 && unit.depth != 3)) continue;
      (unit.depth == 2 ? towns_ : villages_).push_back(unit.code);
    }
    if (towns_.empty()) throw Error(Errc::internal, "the demo district has no towns");
  }

  boost::asio::awaitable<void> load_actors() {
    store::DemoStore demo(pool_);
    const auto staff = co_await demo.staff();
    for (const auto& member : staff) {
      if (member.actor.has(Role::handler) && !handlers_.count(member.unit_code))
        handlers_[member.unit_code] = member.actor.login;
      actors_[member.actor.login] = member.actor;
    }
  }

  // The unit's handler, created for the demo when the unit has none yet ("qs-t05.handler", 宝场镇经办人).
  boost::asio::awaitable<Actor> handler_of(std::string unit) {
    if (auto it = handlers_.find(unit); it != handlers_.end()) co_return actors_.at(it->second);
    store::UnitStore units(pool_);
    const auto found = co_await units.find(unit);
    if (!found) throw Error(Errc::not_found, "no unit " + unit);
    std::string login;
    for (char c : unit) login += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    login += ".handler";
    store::UserStore users(pool_);
    store::AuditEvent event;
    event.action = "user.created";
    event.actor_login = "demo";
    store::NewUser user{login, found->name + "经办人", std::nullopt, unit, {Role::handler}};
    if (!password_hash_) password_hash_ = auth::hash_password(demo_password);
    co_await users.create(std::move(user), *password_hash_, event);
    co_await load_actors();
    co_return actors_.at(handlers_.at(unit));
  }

  void schedule_arrivals(Instant from) {
    for (auto day = workflow::local_date(from); workflow::start_of(day) < until_; day += std::chrono::days(1)) {
      const int count = workflow::is_weekend(day) ? between(0, 2) : between(3, 9);
      for (int i = 0; i < count; ++i) {
        Case c;
        auto& p = c.input;
        const double channel = chance();
        p.channel = channel < 0.58 ? "hotline" : channel < 0.80 ? "web" : channel < 0.93 ? "walk_in" : "letter";
        const auto& matter = pick(matters);
        p.category = matter.category;
        p.subject = matter.subject;
        p.content = matter.content;
        const double type = chance();
        p.type = p.category == std::string("legal_aid") ? "legal_aid"
                 : type < 0.28                          ? "consultation"
                 : type < 0.66                          ? "help"
                 : type < 0.74                          ? "suggestion"
                 : type < 0.88                          ? "complaint"
                 : type < 0.92                          ? "report"
                                                        : "formal";
        if (p.channel == "web" && p.type == "consultation") p.type = "help";
        const double urgency = chance();
        p.urgency = urgency < 0.93 ? "normal" : urgency < 0.99 ? "urgent" : "emergency";
        p.petitioner.name = std::string(surnames + 3 * between(0, 49), 3) + pick(given);
        p.petitioner.phone = "139" + std::to_string(between(10000000, 99999999));
        p.petitioner.unit_code = place();
        if (p.channel == "walk_in") p.petitioner.id_number = id_number();
        // Web petitions come in at any hour; the desks' and the phone's in office hours.
        const auto minute = p.channel == "web" ? between(7 * 60, 23 * 60) : between(8 * 60 + 30, 17 * 60 + 20);
        cases_.push_back(std::move(c));
        later(cases_.size() - 1, workflow::at_local(day, std::chrono::minutes(minute)));
      }
    }
  }

  // A village most of the time, else a town (petitioners who named only their town).
  std::string place() {
    const auto& from = chance() < 0.8 && !villages_.empty() ? villages_ : towns_;
    return from[between(0, static_cast<int>(from.size()) - 1)];
  }

  std::string id_number() {
    char first[18];
    std::snprintf(first, sizeof first, "510115%04d%02d%02d%03d", between(1940, 2010), between(1, 12), between(1, 28),
                  between(100, 999));
    return std::string(first) + id_check_character(first);
  }

  boost::asio::awaitable<void> act(std::size_t index, std::string login, std::string transition,
                                   std::map<std::string, std::string> fields) {
    auto& c = cases_[index];
    store::ActionRequest request{std::move(transition), std::move(fields), c.version};
    const auto actor = actors_.at(login);
    auto petition = co_await petitions_.act(actor, c.id, std::move(request));
    c.version = petition.version;
    if (petition.responsible_unit) c.unit = petition.responsible_unit->code;
  }
  boost::asio::awaitable<void> act_as(std::size_t index, Actor actor, std::string transition,
                                      std::map<std::string, std::string> fields) {
    auto& c = cases_[index];
    store::ActionRequest request{std::move(transition), std::move(fields), c.version};
    auto petition = co_await petitions_.act(actor, c.id, std::move(request));
    c.version = petition.version;
    if (petition.responsible_unit) c.unit = petition.responsible_unit->code;
  }

  static std::string registrar(const std::string& channel) {
    return channel == "walk_in" || channel == "letter" ? "reception1" : "hotline1";
  }
  static std::string portal_address(std::size_t index) {
    return "10." + std::to_string(index / 65536 % 256) + "." + std::to_string(index / 256 % 256) + "." +
           std::to_string(index % 256);
  }
  std::string outcome() {
    const double o = chance();
    return o < 0.62 ? "support" : o < 0.92 ? "explain" : "not_supported";
  }

  std::map<std::string, std::string> reply_fields() {
    return fields("outcome", outcome(), "reply", "经核实，已按政策办理，并当面向信访人解释了有关规定和后续安排。");
  }
  static bool is_checked(const store::Petition& petition) { return petition.state == "reply_checking"; }

  std::string satisfaction(bool dissatisfied) {
    if (dissatisfied) return chance() < 0.75 ? "dissatisfied" : "very_dissatisfied";
    const double s = chance();
    return s < 0.50 ? "very_satisfied" : s < 0.86 ? "satisfied" : "basically_satisfied";
  }

  boost::asio::awaitable<void> step(std::size_t index) {
    auto& c = cases_[index];
    const auto now = clock_;
    switch (c.next) {
      case Next::create: {
        const bool consultation = c.input.type == "consultation" && c.input.channel == "hotline";
        if (consultation) c.input.answer_on_call = "已按政策当场解答，来电人表示清楚。";
        store::Intake intake;
        c.desk = registrar(c.input.channel);
        if (c.input.channel != "web") intake.actor = actors_.at(c.desk);
        intake.address = portal_address(index);  // one visitor each: the portal's limit per address stays out of it
        intake.request_hash = std::to_string(index);
        auto input = c.input;
        auto [petition, created] = co_await petitions_.create(std::move(input), std::move(intake));
        c.id = petition.id;
        c.version = petition.version;
        if (consultation || petition.state != "registered") co_return;
        c.next = Next::accept;
        later(index, after_office_hours(now, c.input.urgency == "normal" ? between(1, 12) : 0.2));
        co_return;
      }
      case Next::accept:
        if (chance() < 0.03) {
          co_await act(index, c.desk, "not_accept", fields("reason", "不属于残联系统受理范围，已告知向有关部门反映。"));
          co_return;
        }
        co_await act(index, c.desk, "accept", fields());
        c.next = Next::dispatch;
        later(index, after_office_hours(now, chance() < 0.9 ? between(1, 6) : between(9, 20)));
        co_return;
      case Next::dispatch: {
        auto petition = co_await petitions_.find(actors_.at(c.desk), c.id);
        std::optional<workflow::Routing> route;
        if (petition) route = co_await petitions_.suggest_route(*petition);
        const std::string unit = route ? route->lead : std::string("QS-CL");
        co_await act(index, c.desk, "dispatch", fields("unit", unit));
        c.late = chance() < 0.13;
        c.dissatisfied = chance() < 0.08;
        c.next = Next::sign;
        later(index, after_office_hours(now, chance() < 0.88 ? between(1, 8) : between(10, 20)));
        co_return;
      }
      case Next::sign: {
        const auto handler = co_await handler_of(c.unit);
        if (chance() < 0.04) {
          co_await act_as(index, handler, "return", fields("reason", "该事项不属于本单位职责，请重新派单。"));
          c.next = Next::resolve_return;
          later(index, after_office_hours(now, between(2, 8)));
          co_return;
        }
        co_await act_as(index, handler, "sign_for", fields());
        // T01 passes some orders on to its first village, which the demo's village handler works.
        if (c.unit == "QS-T01" && chance() < 0.4) {
          co_await act_as(index, handler, "hand_down", fields("unit", "QS-T01-V01"));
          later(index, after_office_hours(now, between(1, 8)));  // the village signs for it
          co_return;
        }
        const bool extension = !c.late && chance() < 0.05;
        if (extension) {
          co_await act_as(index, handler, "request_extension",
                          fields("reason", "需协调多个部门，所需时间较长。", "days", "5"));
          c.next = Next::extension_decision;
          later(index, after_office_hours(now, between(2, 9)));
          co_return;
        }
        c.next = Next::reply;
        later(index, reply_time(index, now));
        co_return;
      }
      case Next::resolve_return:
        co_await act(index, c.desk, "reject_return", fields("reason", "经核实属于该单位职责，请按时办理。"));
        c.next = Next::sign;
        later(index, after_office_hours(now, between(1, 6)));
        co_return;
      case Next::extension_decision:
        co_await act(index, "district.manager", "approve_extension", fields());
        c.next = Next::reply;
        later(index, reply_time(index, now));
        co_return;
      case Next::reply:
      case Next::redo_reply: {
        const auto handler = co_await handler_of(c.unit);
        co_await act_as(index, handler, "reply", reply_fields());
        auto petition = co_await petitions_.find(actors_.at(c.desk), c.id);
        if (petition && is_checked(*petition)) {
          c.next = Next::approve_reply;
          later(index, after_office_hours(now, between(2, 10)));
          co_return;
        }
        c.next = Next::callback;
        later(index, after_office_hours(now, between(6, 12)));
        co_return;
      }
      case Next::approve_reply: {
        const auto upper = co_await handler_of("QS-T01");
        co_await act_as(index, upper, "approve_reply", fields());
        c.next = Next::callback;
        later(index, after_office_hours(now, between(6, 12)));
        co_return;
      }
      case Next::callback: {
        const bool unhappy = c.dissatisfied && !c.redone;
        co_await act(index, c.desk, "callback", fields("satisfaction", satisfaction(unhappy)));
        if (!unhappy) co_return;
        if (chance() < 0.7) {
          co_await act(index, c.desk, "redo", fields("reason", "信访人对答复不满意，要求重新办理。"));
          c.redone = true;
          c.late = false;
          c.next = Next::redo_reply;
          later(index, after_office_hours(now, between(9, 40)));
        } else {
          co_await act(index, c.desk, "request_review", fields("reason", "信访人对答复不服，申请复查。"));
          c.next = Next::review_decision;
          later(index, after_office_hours(now, between(40, 150)));
        }
        co_return;
      }
      case Next::review_decision: {
        auto petition = co_await petitions_.find(actors_.at("xfj.manager"), c.id);
        if (!petition) co_return;  // reviewed by a body outside the demo's users
        co_await act(index, "xfj.manager", "decide_review",
                     fields("outcome", "explain", "reply", "经复查，原答复事实清楚、依据充分，维持原答复意见。"));
        co_return;
      }
    }
  }

  // When the unit replies: usually well inside its limit, a late one after it.
  Instant reply_time(std::size_t index, Instant now) {
    const auto& c = cases_[index];
    const bool quick = c.input.type == "consultation" || c.input.urgency != "normal";
    // Some of the last weeks' late orders are still unanswered today: the overdue work a manager chases.
    if (c.late && until_ - now < std::chrono::days(45) && chance() < 0.6) return until_ + std::chrono::days(30);
    if (c.late) return after_office_hours(now, quick ? between(10, 30) : between(70, 160));
    return after_office_hours(now, quick ? between(2, 8) : between(9, 45));
  }

  pg::Pool& pool_;
  store::PetitionStore& petitions_;
  Instant& clock_;
  Instant until_;
  std::mt19937 random_{12385};
  std::vector<Case> cases_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue_;
  std::map<std::string, Actor> actors_;
  std::map<std::string, std::string> handlers_;  // unit code -> login
  std::vector<std::string> towns_, villages_;
  std::map<std::string, int> problems_;
  std::optional<std::string> password_hash_;
};

boost::asio::awaitable<int> make_history(pg::Pool& pool, int days, const workflow::WorkflowSet& workflows,
                                         const workflow::CalendarSet& calendars,
                                         const workflow::RoutingTable& routing) {
  store::DemoStore demo(pool);
  if (co_await demo.has_petitions()) co_return 0;  // made at an earlier start
  store::CalendarBook calendar_book(pool, calendars);
  store::RoutingBook routing_book(pool, routing);
  const auto today = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  Instant clock = today;
  store::PetitionStore petitions(pool, workflows, calendar_book, routing_book, [&clock] { return clock; });
  Simulation simulation(pool, petitions, clock, today);
  const int made = co_await simulation.run(today - std::chrono::days(days));
  // The year's messages went out as it happened: none waits for the dispatcher now (a year of texts and
  // in-app messages at the first start would be noise, not a demo).
  co_await demo.settle_outbox();
  co_return made;
}

}  // namespace

int load_demo_history(const std::string& database_url, int days, const workflow::WorkflowSet& workflows,
                      const workflow::CalendarSet& calendars, const workflow::RoutingTable& routing) {
  if (days == 0) return 0;
  const auto work = [&](pg::Pool& pool) { return make_history(pool, days, workflows, calendars, routing); };
  return run_offline<int>(database_url, work);
}

}  // namespace petitiond::app
