// The managers' reports. A random history of petitions (filed, accepted or refused, dispatched across the
// levels, signed for or returned, extended, replied, called back, redone, left to run late) is played
// through the API while the clock jumps ahead; the test keeps its own ledger of what each action should
// count, recounts escalations from the timeline, and checks every figure of every grouping, period and
// trend the API reports against that recount.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "server/app/calendars.hpp"
#include "server/pg/blocking_connection.hpp"
#include "server/store/reports.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/org_fixture.hpp"
#include "tests/support/test_server.hpp"
#include "workflow/reporting.hpp"

using namespace petitiond;
using namespace petitiond::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

using workflow::Date;
using workflow::Instant;

const std::map<std::string, std::string> parent_of{{"V1", "T1"}, {"V2", "T2"}, {"T1", "D"}, {"T2", "D"}, {"D-MZ", "D"}};
const std::map<std::string, std::string> level_of{{"D", "district"}, {"D-MZ", "department"}, {"T1", "town"},
                                                  {"T2", "town"},    {"V1", "village"},      {"V2", "village"}};
const std::map<std::string, std::string> handler_of{
    {"V1", "v1.handler"}, {"V2", "v2.handler"}, {"T1", "t1.handler"}, {"D-MZ", "mz.handler"}};

bool within(const std::string& unit, const std::string& scope) {
  for (std::string u = unit;; u = parent_of.at(u)) {
    if (u == scope) return true;
    if (!parent_of.count(u)) return false;
  }
}

struct Fact {
  std::string measure, unit, category, channel;
  Date day;
  std::optional<bool> on_time;
  std::optional<double> value;
};

std::string date_text(Date d) { return workflow::format_local(workflow::start_of(d)).substr(0, 10); }

// The rollup sums of the facts that pass `keep`, recounted from the ledger.
std::map<std::string, double> recount(const std::vector<Fact>& facts, const std::function<bool(const Fact&)>& keep) {
  std::map<std::string, double> sums;
  for (const auto& column : store::rollup_columns()) sums[column] = 0;
  for (const auto& f : facts) {
    if (!keep(f)) continue;
    if (f.measure == "repeat") sums["repeats"] += 1;
    else if (f.measure == "satisfaction") sums["sat" + std::to_string(static_cast<int>(*f.value))] += 1;
    else sums[f.measure] += 1;
    if (f.measure == "signed_for" && *f.on_time) sums["signed_on_time"] += 1;
    if (f.measure == "replied") {
      if (*f.on_time) sums["replied_on_time"] += 1;
      sums["handling_days"] += *f.value;
      sums["h" + std::to_string(workflow::handling_time_bucket(*f.value))] += 1;
    }
  }
  return sums;
}

// Compares a report row (figures JSON) with recounted sums: every count, the histogram, the average.
void check_row(const json::object& row, const std::map<std::string, double>& sums, const std::string& what) {
  CAPTURE(what);
  for (const auto& [column, expected] : sums) {
    CAPTURE(column);
    if (column == "handling_days") {
      const auto replied = sums.at("replied");
      if (replied == 0) CHECK(row.at("average_handling_days").is_null());
      else  // shown to two decimals: within half a hundredth of the exact average, whichever way it rounded
        CHECK(row.at("average_handling_days").to_number<double>() == Approx(expected / replied).margin(0.0051));
    } else if (column[0] == 'h') {
      const auto bucket = static_cast<std::size_t>(std::stoi(column.substr(1)));
      CHECK(row.at("handling_histogram").as_array().at(bucket).at("count").to_number<double>() == expected);
    } else {
      CHECK(row.at(column).to_number<double>() == expected);
    }
  }
}

// Compares a report row's overdue figures with a count of the petitions past their deadline at `now` whose
// unit u and petition p pass `condition` (SQL).
void check_overdue(pg::BlockingConnection& db, std::int64_t now, const json::object& row, const std::string& condition,
                   const std::string& what) {
  CAPTURE(what, condition);
  const auto at = "to_timestamp(" + std::to_string(now) + ")";
  auto counted = db.exec(
      "SELECT count(*), count(*) FILTER (WHERE late <= interval '1 day'),"
      " count(*) FILTER (WHERE late > interval '1 day' AND late <= interval '3 days'),"
      " count(*) FILTER (WHERE late > interval '3 days' AND late <= interval '7 days'),"
      " count(*) FILTER (WHERE late > interval '7 days'), round(coalesce(max(extract(epoch FROM late)), 0) / 86400, "
      "2)::float8"
      " FROM (SELECT " +
      at +
      " - p.due_at AS late FROM petitions p"
      " JOIN units u ON u.id = coalesce(p.responsible_unit_id, p.intake_unit_id)"
      " WHERE p.due_at <= " +
      at + " AND " + condition + ") AS overdue");
  CHECK(row.at("overdue_now").to_number<std::int64_t>() == counted.integer(0, 0));
  CHECK(row.at("overdue_up_to_1_day").to_number<std::int64_t>() == counted.integer(0, 1));
  CHECK(row.at("overdue_up_to_3_days").to_number<std::int64_t>() == counted.integer(0, 2));
  CHECK(row.at("overdue_up_to_7_days").to_number<std::int64_t>() == counted.integer(0, 3));
  CHECK(row.at("overdue_over_7_days").to_number<std::int64_t>() == counted.integer(0, 4));
  CHECK(row.at("overdue_longest_days").to_number<double>() ==
        Approx(std::stod(std::string(counted.text(0, 5)))).margin(0.0051));
}

// Once the scheduler has classed every petition by the clock's `now` and added the changes into the tally.
bool overdue_settled(pg::BlockingConnection& db, std::int64_t now) {
  return db.exec(
               "SELECT (SELECT count(*) FROM overdue_changes) + (SELECT count(*) FROM petitions WHERE due_at IS NOT "
               "NULL"
               " AND overdue_class <> overdue_class_of(to_timestamp(" +
               std::to_string(now) + ") - due_at))")
             .integer(0, 0) == 0;
}

std::string in_subtree(const std::string& code) {
  return "u.path <@ (SELECT path FROM units WHERE code = '" + code + "')";
}

std::int64_t epoch_of(pg::BlockingConnection& db, const std::string& sql) { return db.exec(sql).integer(0, 0); }

// Plays a random history through the API and keeps the ledger of what it should count.
class History {
 public:
  History(TestServer& server, const OrgFixture& org, unsigned seed)
      : server_(server), db_(org.db.url()), random_(seed) {
    for (const auto* login :
         {"operator", "district.manager", "t1.manager", "v1.handler", "v2.handler", "t1.handler", "mz.handler"})
      sessions_.emplace(login, Session(server.port(), login, fixture_password));
  }

  std::vector<Fact> facts;
  std::vector<std::int64_t> petitions;

  Instant now() const { return server_.clock().now(); }
  Date today() const { return workflow::local_date(now()); }

  void play(int count) {
    for (int i = 0; i < count; ++i) {
      one_petition();
      advance(std::uniform_int_distribution<int>(1, 10)(random_) * 1h);
    }
  }

  void advance(std::chrono::seconds by) { server_.clock().advance(by); }

 private:
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }
  template <typename T>
  const T& pick(const std::vector<T>& options) {
    return options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(random_)];
  }

  void count(const std::string& measure, const std::string& unit, std::optional<bool> on_time = {},
             std::optional<double> value = {}) {
    facts.push_back({measure, unit, category_, channel_, today(), on_time, value});
  }

  json::object act(const std::string& login, const std::string& transition, json::object fields) {
    auto& session = sessions_.at(login);
    const auto path = "/api/v1/petitions/" + std::to_string(id_);
    fields["version"] = session.get(path).json().at("version");
    auto reply = session.send("POST", path + "/actions/" + transition, json::serialize(fields));
    CAPTURE(login, transition, reply.body);
    REQUIRE(reply.status == 200);
    return reply.json().as_object();
  }

  // Whether the running obligation (the petition's nearest deadline) is still met now.
  bool in_time() {
    return now().time_since_epoch().count() <=
           epoch_of(db_, "SELECT extract(epoch FROM due_at)::bigint FROM petitions WHERE id = " + std::to_string(id_));
  }

  void small_step() { advance(std::uniform_int_distribution<int>(0, 6)(random_) * 1h); }
  // Now and then a long pause: deadlines pass, escalations fire.
  // Every `every`-th time, a long pause: the deadline passes, escalations fire.
  void late_now_and_then(int& counter, int every, int days) {
    if (++counter % every == 0) advance(days * 24h);
  }

  void one_petition() {
    category_ = pick<std::string>({"education", "employment", "rehabilitation"});
    channel_ = pick<std::string>({"hotline", "letter"});
    const auto phone = pick<std::string>({"13911110001", "13911110002", "13911110003", "13911110004", "13911110005",
                                          "13911110006", "13911110007", "13911110008"});
    const bool consultation = chance(0.1);
    json::object body{{"channel", channel_},
                      {"type", consultation ? "consultation" : "help"},
                      {"category", category_},
                      {"subject", "测试事项"},
                      {"content", "报表测试的事项内容。"},
                      {"petitioner", json::object{{"name", "测试人"}, {"phone", phone}}}};
    if (consultation) body["answer_on_call"] = "已当场解答。";
    auto filed = sessions_.at("operator").send("POST", "/api/v1/petitions", json::serialize(body));
    CAPTURE(filed.body);
    REQUIRE(filed.status == 201);
    auto view = filed.json().as_object();
    id_ = view.at("id").to_number<std::int64_t>();
    petitions.push_back(id_);
    count("received", "D");
    if (!view.at("repeat_of").is_null()) count("repeat", "D");
    if (consultation) {
      count("accepted", "D");
      count("replied", "D", true, 0.0);
      return;
    }
    small_step();
    if (chance(0.1)) {
      act("operator", "not_accept", {{"reason", "不属于受理范围"}});
      count("not_accepted", "D");
      return;
    }
    act("operator", "accept", {});
    count("accepted", "D");
    small_step();
    dispatch();
  }

  void dispatch() {
    unit_ = pick<std::string>({"V1", "V2", "T1", "D-MZ"});
    act("operator", "dispatch", {{"unit", unit_}});
    count("dispatched", unit_);
    dispatched_at_ = now();
    if (chance(0.12)) return;  // left unsigned: it runs late and escalates
    small_step();
    if (chance(0.12)) {  // a return comes promptly, within the objection window
      act(handler_of.at(unit_), "return", {{"reason", "不属于本单位职责"}});
      count("returned", unit_);
      small_step();
      if (chance(0.5)) {
        act("district.manager", "accept_return", {});
        small_step();
        dispatch();
        return;
      }
      act("district.manager", "reject_return", {{"reason", "属于本单位职责"}});
    }
    late_now_and_then(signings_, 5, 3);  // past the sign-for limit of a working day
    const bool on_time = in_time();
    act(handler_of.at(unit_), "sign_for", {});
    count("signed_for", unit_, on_time);
    handle();
  }

  void handle() {
    if (chance(0.15)) return;  // still being handled
    small_step();
    if (chance(0.15)) {
      act(handler_of.at(unit_), "request_extension", {{"reason", "需要协调"}, {"days", 5}});
      small_step();
      act("district.manager", "approve_extension", {});
      count("extended", unit_);
    }
    late_now_and_then(replies_, 6, 12);  // past the handling limit of seven working days
    const bool on_time = in_time();
    const auto handled = workflow::working_days_elapsed(calendars_.resolve({}), dispatched_at_, now());
    act(handler_of.at(unit_), "reply", {{"outcome", "support"}, {"reply", "已办理。"}});
    count("replied", unit_, on_time, handled);
    if (chance(0.15)) return;  // no callback yet
    small_step();
    const auto& levels = workflow::satisfaction_levels();
    const auto level = std::uniform_int_distribution<std::size_t>(0, levels.size() - 1)(random_);
    act("operator", "callback", {{"satisfaction", levels[level]}});
    count("satisfaction", unit_, std::nullopt, static_cast<double>(levels.size() - level));
    if (chance(0.15)) {
      small_step();
      act("district.manager", "redo", {{"reason", "群众不满意，重新办理"}});
      count("redone", unit_);
      handle();
    }
  }

  TestServer& server_;
  pg::BlockingConnection db_;
  std::mt19937 random_;
  workflow::CalendarSet calendars_ = app::load_calendars({});
  std::map<std::string, Session> sessions_;
  std::int64_t id_ = 0;
  int signings_ = 0, replies_ = 0;
  std::string category_, channel_, unit_;
  Instant dispatched_at_;
};

// Escalations, recounted from the timeline: the unit responsible when one fired is the one dispatched to last.
void recount_escalations(pg::BlockingConnection& db, std::vector<Fact>& facts) {
  auto events = db.exec(
      "SELECT e.petition_id, e.action, e.fields::text, local_date(e.at)::text, p.category, p.channel"
      " FROM petition_events e JOIN petitions p ON p.id = e.petition_id ORDER BY e.petition_id, e.id");
  std::map<std::int64_t, std::string> responsible;
  std::set<std::int64_t> criticised;
  for (int row = 0; row < events.rows(); ++row) {
    const auto id = events.integer(row, 0);
    const std::string action(events.text(row, 1));
    auto fields = json::parse(std::string(events.text(row, 2))).as_object();
    if (action == "dispatch" || action == "fast_track") responsible[id] = fields.at("unit").as_string().c_str();
    if (action != "escalation") continue;
    const auto unit = responsible.count(id) ? responsible[id] : std::string("D");
    const auto day = *workflow::parse_date(std::string(events.text(row, 3)));
    const std::string category(events.text(row, 4)), channel(events.text(row, 5));
    auto add = [&](const std::string& measure) { facts.push_back({measure, unit, category, channel, day, {}, {}}); };
    for (const auto& action_value : fields.at("actions").as_array()) {
      const std::string kind(action_value.as_array().at(0).as_string());
      const std::string target(action_value.as_array().at(1).as_string());
      if (kind == "remind") add("reminded");
      if (kind == "supervise") {
        add("supervised");
        add("escalated_to_" + level_of.at(target == "district" ? "D" : parent_of.at(unit)));
      }
      if (kind == "list_for_criticism" && criticised.insert(id).second) add("criticised");
    }
  }
}

}  // namespace

TEST_CASE("every report figure equals a from-scratch recount of a random history") {
  spdlog::set_level(spdlog::level::warn);
  const char* seed_text = std::getenv("REPORT_TEST_SEED");
  const unsigned seed = seed_text ? static_cast<unsigned>(std::strtoul(seed_text, nullptr, 10)) : 20261128u;
  CAPTURE(seed);
  OrgFixture org;
  TestServer server(org, {}, 24h * 3);  // the history starts in December 2026 and runs into 2027
  pg::BlockingConnection db(org.db.url());
  History history(server, org, seed);
  const auto first = history.today();
  history.play(60);
  history.advance(24h * 3);
  const auto last = history.today();
  const auto now = history.now().time_since_epoch().count();
  REQUIRE(eventually(
      [&] {
        return db.exec("SELECT count(*) FROM escalation_points WHERE fired_at IS NULL AND due_at <= to_timestamp(" +
                       std::to_string(now) + ")")
                       .integer(0, 0) == 0 &&
               db.exec("SELECT count(*) FROM report_fact_queue").integer(0, 0) == 0 && overdue_settled(db, now);
      },
      20s));
  auto facts = history.facts;
  recount_escalations(db, facts);
  REQUIRE(last > first + std::chrono::days{60});
  INFO(facts.size() << " facts from " << date_text(first) << " to " << date_text(last));
  CHECK(std::count_if(facts.begin(), facts.end(), [](const Fact& f) { return f.measure == "supervised"; }) > 0);
  CHECK(std::count_if(facts.begin(), facts.end(), [](const Fact& f) { return f.measure == "replied" && !*f.on_time; }) >
        0);

  Session manager(server.port(), "district.manager", fixture_password);
  Session town(server.port(), "t1.manager", fixture_password);
  struct Period {
    Date from, to;
  };
  const Period periods[] = {
      {first, last},                                                               // days, months and days
      {first + std::chrono::days{9}, last - std::chrono::days{11}},                // ragged at both ends
      {*workflow::parse_date("2026-01-01"), *workflow::parse_date("2026-12-31")},  // one whole year
      {*workflow::parse_date("2026-12-01"), *workflow::parse_date("2027-01-31")},  // whole months
      {*workflow::parse_date("2026-01-02"), *workflow::parse_date("2027-12-30")},  // years less a day each
      {*workflow::parse_date("2026-06-15"), *workflow::parse_date("2027-01-20")},  // a year less its rest
  };
  for (const auto& period : periods) {
    const auto range = "from=" + date_text(period.from) + "&to=" + date_text(period.to);
    auto in_period = [&](const Fact& f) { return f.day >= period.from && f.day <= period.to; };
    auto reply = [&](Session& session, const std::string& query) {
      auto r = session.get("/api/v1/reports/summary?" + range + query);
      CAPTURE(query, r.body);
      REQUIRE(r.status == 200);
      return r.json().as_object();
    };

    auto by_unit = reply(manager, "");
    check_row(by_unit.at("total").as_object(), recount(facts, in_period), range + " district total");
    std::set<std::string> keys;
    for (const auto& row : by_unit.at("rows").as_array()) {
      const std::string key(row.at("key").as_string());
      keys.insert(key);
      check_row(row.as_object(), recount(facts, [&](const Fact& f) { return in_period(f) && within(f.unit, key); }),
                range + " unit " + key);
    }
    CHECK(keys == std::set<std::string>{"D-MZ", "T1", "T2"});

    for (const char* dimension : {"level", "category", "channel"}) {
      auto grouped = reply(manager, std::string("&group_by=") + dimension);
      check_row(grouped.at("total").as_object(), recount(facts, in_period), range + " total by " + dimension);
      for (const auto& row : grouped.at("rows").as_array()) {
        const std::string key(row.at("key").as_string());
        check_row(row.as_object(),
                  recount(facts,
                          [&](const Fact& f) {
                            const auto& value = std::string(dimension) == "level"      ? level_of.at(f.unit)
                                                : std::string(dimension) == "category" ? f.category
                                                                                       : f.channel;
                            return in_period(f) && value == key;
                          }),
                  range + " " + dimension + " " + key);
      }
    }

    auto villages = reply(manager, "&group_by=unit&level=village&sort=received");
    for (const auto& row : villages.at("rows").as_array()) {
      const std::string key(row.at("key").as_string());
      check_row(row.as_object(), recount(facts, [&](const Fact& f) { return in_period(f) && f.unit == key; }),
                range + " village " + key);
    }

    // The town manager sees the town's subtree only.
    auto town_report = reply(town, "");
    check_row(town_report.at("total").as_object(),
              recount(facts, [&](const Fact& f) { return in_period(f) && within(f.unit, "T1"); }), range + " T1 total");
  }

  // Trends: every week and every month of the history, for the district and for one category.
  for (const char* interval : {"week", "month"}) {
    for (const std::string filter : {"", "&dimension=category&value=education"}) {
      auto r = manager.get("/api/v1/reports/trend?interval=" + std::string(interval) + "&from=" + date_text(first) +
                           "&to=" + date_text(last) + filter);
      REQUIRE(r.status == 200);
      const auto points = r.json().at("points").as_array();
      REQUIRE(points.size() >= 3);
      for (std::size_t i = 0; i < points.size(); ++i) {
        const auto start = *workflow::parse_date(std::string(points[i].at("period").as_string()));
        const auto end = i + 1 < points.size()
                             ? *workflow::parse_date(std::string(points[i + 1].at("period").as_string()))
                             : last + std::chrono::days{1};
        check_row(points[i].as_object(),
                  recount(facts,
                          [&](const Fact& f) {
                            return f.day >= std::max(start, first) && f.day < end &&
                                   (filter.empty() || f.category == "education");
                          }),
                  std::string(interval) + " " + date_text(start) + filter);
      }
    }
  }

  // Overdue now, and by how long, recounted from the petitions themselves for every row of every grouping.
  const auto whole = "from=" + date_text(first) + "&to=" + date_text(last);
  auto summary = manager.get("/api/v1/reports/summary?" + whole).json();
  check_overdue(db, now, summary.at("total").as_object(), in_subtree("D"), "district");
  for (const auto& row : summary.at("rows").as_array())
    check_overdue(db, now, row.as_object(), in_subtree(std::string(row.at("key").as_string())), "unit");
  CHECK(summary.at("total").at("overdue_now").to_number<std::int64_t>() > 0);
  CHECK(summary.at("total").at("overdue_over_7_days").to_number<std::int64_t>() > 0);
  for (const std::string dimension : {"level", "category", "channel"}) {
    auto grouped = manager.get("/api/v1/reports/summary?" + whole + "&group_by=" + dimension).json();
    check_overdue(db, now, grouped.at("total").as_object(), in_subtree("D"), "total by " + dimension);
    for (const auto& row : grouped.at("rows").as_array()) {
      const std::string key(row.at("key").as_string());
      check_overdue(db, now, row.as_object(),
                    (dimension == "level" ? "unit_level(u.path, u.kind)" : "p." + dimension) + " = '" + key + "'",
                    dimension + " " + key);
    }
  }
  auto villages = manager.get("/api/v1/reports/summary?" + whole + "&group_by=unit&level=village").json();
  for (const auto& row : villages.at("rows").as_array())
    check_overdue(db, now, row.as_object(), in_subtree(std::string(row.at("key").as_string())), "village");
  check_overdue(db, now, town.get("/api/v1/reports/summary?" + whole).json().at("total").as_object(), in_subtree("T1"),
                "T1 total");

  // The petitions behind figures: as many as the figure says, page by page.
  const auto range = "&from=" + date_text(first) + "&to=" + date_text(last);
  for (const char* measure : {"replied_on_time", "replied_late", "signed_for", "sat1", "reminded", "overdue_now"}) {
    CAPTURE(measure);
    std::int64_t listed = 0;
    std::optional<std::string> after;
    std::set<std::int64_t> seen;
    do {
      auto page = manager.get("/api/v1/reports/petitions?measure=" + std::string(measure) + range + "&limit=7" +
                              (after ? "&after=" + *after : ""));
      REQUIRE(page.status == 200);
      auto body = page.json();
      for (const auto& item : body.at("items").as_array()) {
        ++listed;
        seen.insert(item.at("petition").at("id").to_number<std::int64_t>());
      }
      after =
          body.at("next").is_null() ? std::nullopt : std::optional<std::string>(body.at("next").as_string().c_str());
    } while (after);
    const auto figure = std::string(measure) == "replied_late"
                            ? summary.at("total").at("replied").to_number<std::int64_t>() -
                                  summary.at("total").at("replied_on_time").to_number<std::int64_t>()
                            : summary.at("total").at(measure).to_number<std::int64_t>();
    CHECK(listed == figure);
    CHECK(listed > 0);
  }

  // A rebuild from every fact (after a bulk load) gives the rollups the incremental folds built.
  const auto rollups =
      "SELECT count(*), md5(string_agg(concat_ws(',', scope_unit_id, dimension, grain, period_start, value,"
      " received, replied, replied_on_time, round(handling_days::numeric, 6), h3, sat5, reminded,"
      " supervised, escalated_to_district, escalated_to_town, criticised), ';'"
      " ORDER BY scope_unit_id, dimension, grain, period_start, value)) FROM report_rollups";
  auto folded = db.exec(rollups);
  REQUIRE(folded.integer(0, 0) > 100);
  CHECK(db.exec("SELECT rebuild_report_rollups()").integer(0, 0) >= 3);
  auto rebuilt = db.exec(rollups);
  CHECK(rebuilt.integer(0, 0) == folded.integer(0, 0));
  CHECK(rebuilt.text(0, 1) == folded.text(0, 1));
  CHECK(db.exec("SELECT count(*) FROM report_fact_queue").integer(0, 0) == 0);

  // A village that moves to another town takes its overdue petitions with it; eight days later every
  // petition overdue now is more than seven days late.
  auto v2 = manager.get("/api/v1/reports/summary?" + whole + "&group_by=unit&level=village").json();
  std::int64_t v2_overdue = 0;
  for (const auto& row : v2.at("rows").as_array())
    if (row.at("key") == "V2") v2_overdue = row.at("overdue_now").to_number<std::int64_t>();
  CHECK(v2_overdue > 0);
  Session admin(server.port(), "admin", fixture_password);
  REQUIRE(admin.send("PATCH", "/api/v1/units/V2", R"({"parent":"T1"})").status == 200);
  // Then the clock goes back to where it was (a corrected system clock): the classes follow it down.
  auto check_at = [&](std::int64_t at, const std::string& what) {
    REQUIRE(eventually([&] { return overdue_settled(db, at); }, 20s));
    auto report = manager.get("/api/v1/reports/summary?" + whole).json();
    check_overdue(db, at, report.at("total").as_object(), in_subtree("D"), what);
    for (const auto& row : report.at("rows").as_array())
      check_overdue(db, at, row.as_object(), in_subtree(std::string(row.at("key").as_string())), what);
    return report;
  };
  check_at(now, "after the move");
  history.advance(8 * 24h);
  auto eight_days_on = check_at(now + 8 * 24 * 3600, "eight days on");
  CHECK(eight_days_on.at("total").at("overdue_over_7_days").to_number<std::int64_t>() >=
        summary.at("total").at("overdue_now").to_number<std::int64_t>());
  history.advance(-8 * 24h);
  auto back = check_at(now, "the clock set back");
  for (const char* figure : {"overdue_now", "overdue_up_to_1_day", "overdue_up_to_3_days", "overdue_over_7_days"}) {
    CAPTURE(figure);
    CHECK(back.at("total").at(figure) == summary.at("total").at(figure));
  }
}

TEST_CASE("reports rank units, export as CSV and XLSX, and refuse what they cannot answer") {
  spdlog::set_level(spdlog::level::warn);
  OrgFixture org;
  TestServer server(org);
  Session op(server.port(), "operator", fixture_password);
  pg::BlockingConnection db(org.db.url());
  // Three petitions dispatched to V1, one to V2: V1 ranks first by dispatched orders.
  for (const char* unit : {"V1", "V1", "V1", "V2"}) {
    auto filed = op.send(
        "POST", "/api/v1/petitions",
        R"({"channel":"hotline","type":"help","category":"education","subject":"入学","content":"孩子入学困难，请帮助。","petitioner":{"name":"赵六","phone":"13911112222"}})");
    REQUIRE(filed.status == 201);
    const auto base =
        "/api/v1/petitions/" + std::to_string(filed.json().at("id").to_number<std::int64_t>()) + "/actions/";
    REQUIRE(op.send("POST", base + "accept", R"({"version":1})").status == 200);
    REQUIRE(op.send("POST", base + "dispatch", std::string(R"({"version":2,"unit":")") + unit + "\"}").status == 200);
  }
  REQUIRE(eventually([&] { return db.exec("SELECT count(*) FROM report_fact_queue").integer(0, 0) == 0; }, 20s));
  Session manager(server.port(), "district.manager", fixture_password);

  auto ranked = manager.get("/api/v1/reports/summary?group_by=unit&level=village&sort=dispatched").json();
  const auto& rows = ranked.at("rows").as_array();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("key").as_string() == "V1");
  CHECK(rows[0].at("rank").to_number<int>() == 1);
  CHECK(rows[0].at("dispatched").to_number<int>() == 3);
  CHECK(rows[1].at("key").as_string() == "V2");
  auto ascending = manager.get("/api/v1/reports/summary?group_by=unit&level=village&sort=dispatched&order=asc").json();
  CHECK(ascending.at("rows").as_array()[0].at("key").as_string() == "V2");

  auto csv = manager.get("/api/v1/reports/summary?group_by=unit&level=village&sort=dispatched&format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type").starts_with("text/csv"));
  CHECK(csv.header("content-disposition").find("attachment") != std::string::npos);
  CHECK(csv.body.starts_with("\xEF\xBB\xBF排名,代码,名称,级别,登记数"));
  CHECK(csv.body.find("\r\n1,V1,") != std::string::npos);
  CHECK(csv.body.find("\r\n,合计,") != std::string::npos);
  auto english = manager.get("/api/v1/reports/trend?interval=month&format=csv&lang=en");
  CHECK(english.body.find("Month,Received,") != std::string::npos);

  auto xlsx = manager.get("/api/v1/reports/summary?group_by=category&format=xlsx");
  REQUIRE(xlsx.status == 200);
  CHECK(xlsx.body.starts_with("PK"));  // a zip container
  ScratchDir dir("report-xlsx");
  const auto file = dir.path() / "summary.xlsx";
  std::ofstream(file, std::ios::binary) << xlsx.body;
  // Read back with openpyxl: the header, then the education row's received and dispatched counts.
  const auto script =
      "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1]).active; "
      "h=[c.value for c in ws[1]]; r=[c.value for c in ws[2]]; "
      "print(h[0], r[0], int(r[h.index('登记数')]), int(r[h.index('派单数')])); "
      // Formatted for people: rates as percentages, the header row and first column frozen, columns as wide as
      // their content (a Chinese name counts double), a filter on the header.
      "rate=[i for i,x in enumerate(h) if x.endswith('率') and r[i] is not None][0]; "
      "print(ws.cell(2, rate+1).number_format, ws.freeze_panes, ws.auto_filter.ref is not None, "
      "ws.column_dimensions['B'].width >= 10)";
  const auto command = "/usr/bin/python3 -c \"" + std::string(script) + "\" " + file.string() + " > " +
                       (dir.path() / "out.txt").string();
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream out(dir.path() / "out.txt");
  std::string line;
  std::getline(out, line);
  CHECK(line == "代码 education 4 4");
  std::getline(out, line);
  CHECK(line == "0.0% B2 True True");
  // A trend's months are dates in the workbook, not text.
  auto trend = manager.get("/api/v1/reports/trend?interval=month&format=xlsx");
  REQUIRE(trend.status == 200);
  std::ofstream(dir.path() / "trend.xlsx", std::ios::binary) << trend.body;
  const auto trend_command =
      "/usr/bin/python3 -c \"import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1]).active; "
      "c=ws.cell(2,1); print(c.is_date, c.number_format)\" " +
      (dir.path() / "trend.xlsx").string() + " > " + (dir.path() / "trend.txt").string();
  REQUIRE(std::system(trend_command.c_str()) == 0);
  std::ifstream trend_out(dir.path() / "trend.txt");
  std::getline(trend_out, line);
  CHECK(line == "True yyyy-mm-dd");

  auto drill_csv = manager.get("/api/v1/reports/petitions?measure=dispatched&dimension=level&value=village&format=csv");
  REQUIRE(drill_csv.status == 200);
  CHECK(std::count(drill_csv.body.begin(), drill_csv.body.end(), '\n') == 5);  // the header and four petitions

  auto status_of = [&](const std::string& path) { return manager.get(path).status; };
  CHECK(status_of("/api/v1/reports/summary?group_by=street") == 422);
  CHECK(status_of("/api/v1/reports/summary?from=2026-12-01&to=2026-11-01") == 422);
  CHECK(status_of("/api/v1/reports/summary?from=2010-01-01&to=2026-11-01") == 422);
  CHECK(status_of("/api/v1/reports/summary?from=yesterday") == 422);
  CHECK(status_of("/api/v1/reports/summary?sort=happiness") == 422);
  CHECK(status_of("/api/v1/reports/summary?format=pdf") == 422);
  CHECK(status_of("/api/v1/reports/summary?unit=NOPE") == 422);
  CHECK(status_of("/api/v1/reports/trend?interval=day") == 422);
  CHECK(status_of("/api/v1/reports/trend?dimension=category") == 422);
  CHECK(status_of("/api/v1/reports/petitions") == 422);
  CHECK(status_of("/api/v1/reports/petitions?measure=happiness") == 422);
  CHECK(status_of("/api/v1/reports/petitions?measure=received&after=bogus") == 422);
  auto bad = manager.get("/api/v1/reports/summary?group_by=street").json();
  CHECK(bad.at("error").at("field").as_string() == "group_by");
  // A town's manager cannot report on another town.
  Session town(server.port(), "t1.manager", fixture_password);
  CHECK(town.get("/api/v1/reports/summary?unit=T2").status == 422);
  CHECK(town.get("/api/v1/reports/summary?unit=V1").status == 200);
}
