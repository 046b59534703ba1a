#include "server/store/petition_rows.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace petitiond::store {
namespace json = boost::json;
using workflow::ClockRecord;
using workflow::DurationUnit;
using workflow::Instant;

namespace {

DurationUnit unit_from(std::string_view name) {
  if (name == "calendar_days") return DurationUnit::calendar_days;
  if (name == "working_hours") return DurationUnit::working_hours;
  if (name == "hours") return DurationUnit::hours;
  return DurationUnit::working_days;
}

json::value epoch_or_null(const std::optional<Instant>& instant) {
  if (!instant) return nullptr;
  return epoch(*instant);
}

Instant instant_of(const json::value& value) { return Instant(std::chrono::seconds(value.to_number<std::int64_t>())); }

std::optional<int> optional_int(const pg::Result& r, int row, const char* name) {
  int column = r.column(name);
  if (r.is_null(row, column)) return std::nullopt;
  return static_cast<int>(r.integer(row, column));
}

std::optional<std::int64_t> optional_id(const pg::Result& r, int row, const char* name) {
  int column = r.column(name);
  if (r.is_null(row, column)) return std::nullopt;
  return r.integer(row, column);
}

std::optional<std::string> optional_text(const pg::Result& r, int row, const char* name) {
  return r.optional_text(row, r.column(name));
}

std::string text(const pg::Result& r, int row, const char* name) { return std::string(r.text(row, r.column(name))); }

}  // namespace

std::optional<Instant> optional_instant(const pg::Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return Instant(std::chrono::seconds(r.integer(row, column)));
}

std::int64_t epoch(Instant instant) { return instant.time_since_epoch().count(); }

std::vector<pg::Statement> escalation_statements(std::int64_t petition_id, const workflow::PetitionState& state,
                                                 const workflow::Definition& definition,
                                                 const workflow::Calendar& calendar, int level, bool replace) {
  json::array points;
  int seq = 0;
  for (const auto& clock : state.clocks) {
    for (const auto& point : workflow::escalation_points(definition, calendar, clock, level)) {
      json::array actions;
      for (const auto& [action, target] : point.rule->actions)
        actions.push_back(json::array{json::string(action), json::string(target)});
      json::object row;
      row["seq"] = seq;
      row["rule"] = static_cast<std::int64_t>(point.rule - definition.escalations.data());
      row["clock"] = clock.name;
      row["due"] = epoch(point.due);
      row["actions"] = std::move(actions);
      points.push_back(std::move(row));
    }
    ++seq;
  }
  std::vector<pg::Statement> statements;
  if (replace)
    statements.emplace_back("DELETE FROM escalation_points WHERE petition_id = $1 AND fired_at IS NULL", petition_id);
  if (points.empty()) return statements;
  // A point earlier than every unfired one wakes the schedulers (which may be sleeping until then).
  statements.emplace_back(
      "WITH earliest AS (SELECT min(due_at) AS due FROM escalation_points WHERE fired_at IS NULL),"
      " written AS (INSERT INTO escalation_points (petition_id, clock_seq, rule_index, clock, due_at, actions)"
      "   SELECT $1, r.seq, r.rule, r.clock, to_timestamp(r.due), r.actions"
      "   FROM jsonb_to_recordset($2::jsonb) AS r(seq int, rule int, clock text, due bigint, actions jsonb)"
      "   ON CONFLICT DO NOTHING RETURNING due_at)"
      " SELECT pg_notify('" +
          std::string(deadline_channel) +
          "', '') FROM earliest"
          " WHERE earliest.due IS NULL OR (SELECT min(due_at) FROM written) < earliest.due",
      petition_id, json::serialize(points));
  return statements;
}

pg::Statement event_insert(std::int64_t petition_id, const Author& author, Instant at, std::string action,
                           std::optional<std::string> from, std::optional<std::string> to, std::string fields) {
  return pg::Statement(
      "INSERT INTO petition_events (petition_id, at, actor_id, actor_name, action, from_state, to_state, fields)"
      " VALUES ($1, to_timestamp($2), $3, $4, $5, $6, $7, $8::jsonb)",
      petition_id, epoch(at), author.id, author.name, std::move(action), std::move(from), std::move(to),
      std::move(fields));
}

pg::Statement clocks_upsert(std::int64_t petition_id, std::string clocks) {
  return pg::Statement(
      "INSERT INTO petition_clocks AS c (petition_id, seq, name, started_at, unit, amount, extension, pauses,"
      " stopped_at, deadline, warn_at, is_window, cap)"
      " SELECT $1, r.seq, r.name, to_timestamp(r.started), r.unit, r.amount, r.extension, r.pauses,"
      "  to_timestamp(r.stopped), to_timestamp(r.deadline), to_timestamp(r.warn), r.\"window\", to_timestamp(r.cap)"
      " FROM jsonb_to_recordset($2::jsonb) AS r(seq int, name text, started bigint, unit text, amount int,"
      "  extension int, pauses jsonb, stopped bigint, deadline bigint, warn bigint, \"window\" boolean, cap bigint)"
      " ON CONFLICT (petition_id, seq) DO UPDATE SET extension = excluded.extension, pauses = excluded.pauses,"
      "  stopped_at = excluded.stopped_at, deadline = excluded.deadline, warn_at = excluded.warn_at, cap = "
      "excluded.cap",
      petition_id, std::move(clocks));
}

std::optional<std::int64_t> optional_epoch(const std::optional<Instant>& i) {
  if (!i) return std::nullopt;
  return epoch(*i);
}

pg::Statement take_rate_token(const std::string& limit_field, int fallback, std::string counter_key) {
  return pg::Statement(
      "SELECT take_rate_token($1, coalesce((SELECT (value->>$2)::int FROM settings WHERE key = 'portal.rate_limit'), "
      "$3),"
      " make_interval(mins => coalesce((SELECT (value->>'per_minutes')::int FROM settings"
      "   WHERE key = 'portal.rate_limit'), 60)))",
      std::move(counter_key), limit_field, fallback);
}

std::string calendar_chain(const std::string& path) {
  // The path holds the ids from the root down, so the ancestors are primary-key look-ups.
  return "(SELECT coalesce(array_agg(a.calendar ORDER BY nlevel(a.path) DESC), '{}') FROM units a"
         " WHERE a.id = ANY (string_to_array(ltree2text(" +
         path + "), '.')::bigint[]) AND a.calendar IS NOT NULL)";
}

std::string petition_select(const std::string& now) {
  return "SELECT p.id, p.tracking_code, p.channel, p.workflow, p.workflow_version, p.type, p.category, p.urgency,"
         " p.subject, p.content, p.state, p.version, p.anonymous, p.requested_extension,"
         " pr.id AS petitioner_id, pr.name AS petitioner_name, pr.gender, pr.id_number, pr.phone, "
         "pr.certificate_number,"
         " pr.disability_type, pr.disability_grade, pr.address, pr.self_reported, pr.email AS petitioner_email,"
         " pr.language AS petitioner_language, pr.preferred_channel, pr.contact_consent,"
         " pu.id AS petitioner_unit_id, pu.code AS petitioner_unit, pu.name AS petitioner_unit_name, nlevel(pu.path) "
         "AS petitioner_unit_depth,"
         " p.filed_by, fb.display_name AS filed_by_name,"
         " iu.id AS intake_unit_id, iu.code AS intake_unit, iu.name AS intake_unit_name, nlevel(iu.path) AS "
         "intake_unit_depth,"
         " ru.id AS responsible_unit_id, ru.code AS responsible_unit, ru.name AS responsible_unit_name, "
         "nlevel(ru.path) AS responsible_unit_depth,"
         " (SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM units WHERE id = ANY (p.co_unit_ids)) AS "
         "co_units,"
         " (SELECT coalesce(json_agg(json_build_object('id', u.id, 'code', u.code, 'name', u.name, 'depth',"
         "   nlevel(u.path)) ORDER BY x.n), '[]') FROM unnest(p.handed_down_from) WITH ORDINALITY x(id, n)"
         "   JOIN units u ON u.id = x.id)::text AS handed_down_from,"
         " vu.id AS reviewing_unit_id, vu.code AS reviewing_unit, vu.name AS reviewing_unit_name,"
         " (SELECT value #>> '{}' FROM settings WHERE key = 'oversight.unit') AS oversight_unit,"
         " (SELECT coalesce(json_agg(json_build_object('id', u.id, 'code', u.code, 'name', u.name, 'depth',"
         "   nlevel(u.path), 'due_at', iso_local(c.due_at), 'signed_at', iso_local(c.signed_at), 'contributed_at',"
         "   iso_local(c.contributed_at), 'contribution', c.contribution, 'contributed_by',"
         "   (SELECT display_name FROM users WHERE id = c.contributed_by)) ORDER BY u.code), '[]')"
         "   FROM co_handling_parts c JOIN units u ON u.id = c.unit_id WHERE c.petition_id = p.id)::text AS co_parts,"
         " (SELECT e.from_state FROM petition_events e WHERE e.petition_id = p.id AND e.to_state = p.state"
         "   AND e.from_state IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS previous_state,"
         " (SELECT coalesce(json_object_agg(s.to_state, s.at), '{}') FROM (SELECT DISTINCT ON (e.to_state) e.to_state,"
         "   extract(epoch FROM e.at)::bigint AS at FROM petition_events e WHERE e.petition_id = p.id"
         "   AND e.to_state IS NOT NULL ORDER BY e.to_state, e.id DESC) s)::text AS entered,"
         " nlevel(vu.path) AS reviewing_unit_depth,"
         " (SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM units WHERE id = ANY (p.complained_unit_ids))"
         "   AS complained_units,"
         " p.petitioner_given::text AS petitioner_given, p.complaint_object, p.proxy_user_id, px.display_name AS "
         "proxy_user_name, p.proxy_name, p.proxy_relation,"
         " p.proxy_phone, p.consent_method, iso_local(p.consent_at) AS consent_at, p.group_size,"
         " p.representatives::text AS representatives, p.parent_id, p.repeat_of, p.repeat_count, p.chase_count,"
         " iso_local(p.due_at) AS due_at, iso_local(p.warn_at) AS warn_at,"
         " CASE WHEN p.due_at IS NULL THEN NULL WHEN p.due_at <= " +
         now +
         " THEN 'overdue'"
         "      WHEN p.warn_at <= " +
         now +
         " THEN 'warning' ELSE 'ok' END AS deadline_status,"
         " extract(epoch FROM p.due_at)::bigint AS due_epoch,"
         " p.reply_outcome, p.satisfaction, iso_local(p.received_at) AS received_at,"
         " iso_local(p.accepted_at) AS accepted_at, iso_local(p.dispatched_at) AS dispatched_at,"
         " iso_local(p.replied_at) AS replied_at, iso_local(p.closed_at) AS closed_at,"
         " iso_local(p.updated_at) AS updated_at, p.reminders, p.supervisions,"
         " (SELECT code FROM units WHERE id = p.supervised_by_unit_id) AS supervised_by,"
         " iso_local(p.criticised_at) AS criticised_at,"
         " extract(epoch FROM coalesce(p.dispatched_at, p.received_at))::bigint AS handling_started,"
         " (SELECT coalesce(json_agg(json_build_object('seq', c.seq, 'name', c.name,"
         "     'started', extract(epoch FROM c.started_at)::bigint, 'unit', c.unit, 'amount', c.amount,"
         "     'extension', c.extension, 'pauses', c.pauses,"
         "     'stopped', extract(epoch FROM c.stopped_at)::bigint, 'cap', extract(epoch FROM c.cap)::bigint)"
         "     ORDER BY c.seq), '[]')"
         "   FROM petition_clocks c WHERE c.petition_id = p.id)::text AS clocks,"
         " " +
         calendar_chain("coalesce(ru.path, iu.path)") +
         " AS calendar_chain"
         " FROM petitions p JOIN petitioners pr ON pr.id = p.petitioner_id"
         " LEFT JOIN units pu ON pu.id = pr.unit_id"
         " LEFT JOIN users fb ON fb.id = p.filed_by"
         " JOIN units iu ON iu.id = p.intake_unit_id"
         " LEFT JOIN units ru ON ru.id = p.responsible_unit_id"
         " LEFT JOIN units vu ON vu.id = p.reviewing_unit_id"
         " LEFT JOIN users px ON px.id = p.proxy_user_id";
}

namespace {

// The petitioner as given on the petition (JSON of the fields sent), over the stored person's unit and
// contact choices, which the view shows as they are.
Petition::Person given_person(std::string_view json_text, const Petition::Person& stored) {
  Petition::Person given;
  given.id = stored.id;
  given.unit = stored.unit;
  given.self_reported = true;
  given.language = stored.language;
  given.preferred_channel = stored.preferred_channel;
  given.contact_consent = stored.contact_consent;
  const auto fields = json::parse(json_text).as_object();
  auto text = [&fields](const char* name) -> std::optional<std::string> {
    auto it = fields.find(name);
    if (it == fields.end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().as_string());
  };
  auto number = [&fields](const char* name) -> std::optional<int> {
    auto it = fields.find(name);
    if (it == fields.end() || !it->value().is_int64()) return std::nullopt;
    return static_cast<int>(it->value().as_int64());
  };
  given.name = text("name");
  given.gender = text("gender");
  given.id_number = text("id_number");
  given.phone = text("phone");
  given.certificate_number = text("certificate_number");
  given.address = text("address");
  given.email = text("email");
  given.disability_type = number("disability_type");
  given.disability_grade = number("disability_grade");
  return given;
}

}  // namespace

Petition petition_from(const pg::Result& r, int row) {
  Petition p;
  p.id = r.integer(row, r.column("id"));
  p.tracking_code = text(r, row, "tracking_code");
  p.channel = text(r, row, "channel");
  p.workflow = text(r, row, "workflow");
  p.workflow_version = static_cast<int>(r.integer(row, r.column("workflow_version")));
  p.type = text(r, row, "type");
  p.category = text(r, row, "category");
  p.urgency = text(r, row, "urgency");
  p.subject = text(r, row, "subject");
  p.content = text(r, row, "content");
  p.state = text(r, row, "state");
  p.version = static_cast<int>(r.integer(row, r.column("version")));
  p.anonymous = r.boolean(row, r.column("anonymous"));

  auto& person = p.petitioner;
  person.id = r.integer(row, r.column("petitioner_id"));
  person.name = optional_text(r, row, "petitioner_name");
  person.gender = optional_text(r, row, "gender");
  person.id_number = optional_text(r, row, "id_number");
  person.phone = optional_text(r, row, "phone");
  person.certificate_number = optional_text(r, row, "certificate_number");
  person.disability_type = optional_int(r, row, "disability_type");
  person.disability_grade = optional_int(r, row, "disability_grade");
  person.address = optional_text(r, row, "address");
  person.self_reported = r.boolean(row, r.column("self_reported"));
  person.email = optional_text(r, row, "petitioner_email");
  person.language = text(r, row, "petitioner_language");
  person.preferred_channel = text(r, row, "preferred_channel");
  person.contact_consent = r.boolean(row, r.column("contact_consent"));
  if (auto code = optional_text(r, row, "petitioner_unit"))
    person.unit = UnitRef{*optional_id(r, row, "petitioner_unit_id"), *code, text(r, row, "petitioner_unit_name"),
                          *optional_int(r, row, "petitioner_unit_depth")};

  if (auto given = optional_text(r, row, "petitioner_given")) p.petitioner_given = given_person(*given, person);

  p.filed_by = optional_id(r, row, "filed_by");
  p.filed_by_name = optional_text(r, row, "filed_by_name");
  p.intake_unit = {*optional_id(r, row, "intake_unit_id"), text(r, row, "intake_unit"),
                   text(r, row, "intake_unit_name"), *optional_int(r, row, "intake_unit_depth")};
  if (auto code = optional_text(r, row, "responsible_unit"))
    p.responsible_unit =
        UnitRef{*optional_id(r, row, "responsible_unit_id"), *code, text(r, row, "responsible_unit_name"),
                *optional_int(r, row, "responsible_unit_depth")};
  if (auto code = optional_text(r, row, "reviewing_unit"))
    p.reviewing_unit = UnitRef{*optional_id(r, row, "reviewing_unit_id"), *code, text(r, row, "reviewing_unit_name"),
                               *optional_int(r, row, "reviewing_unit_depth")};
  p.co_units = r.words(row, r.column("co_units"));
  const auto co_parts = json::parse(r.text(row, r.column("co_parts")));
  for (const auto& value : co_parts.as_array()) {
    const auto& part = value.as_object();
    auto text_at = [&part](const char* name) -> std::optional<std::string> {
      const auto& v = part.at(name);
      return v.is_null() ? std::nullopt : std::optional<std::string>(std::string(v.as_string()));
    };
    p.co_parts.push_back(
        {{part.at("id").to_number<std::int64_t>(), std::string(part.at("code").as_string()),
          std::string(part.at("name").as_string()), static_cast<int>(part.at("depth").to_number<std::int64_t>())},
         text_at("due_at"),
         text_at("signed_at"),
         text_at("contributed_at"),
         text_at("contribution"),
         text_at("contributed_by")});
  }
  const auto handed_down_from = json::parse(r.text(row, r.column("handed_down_from")));
  for (const auto& value : handed_down_from.as_array()) {
    const auto& unit = value.as_object();
    p.handed_down_from.push_back({unit.at("id").to_number<std::int64_t>(), std::string(unit.at("code").as_string()),
                                  std::string(unit.at("name").as_string()),
                                  static_cast<int>(unit.at("depth").to_number<std::int64_t>())});
  }
  p.complained_units = r.words(row, r.column("complained_units"));
  p.complaint_object = optional_text(r, row, "complaint_object");
  p.proxy_user_id = optional_id(r, row, "proxy_user_id");
  p.proxy_user_name = optional_text(r, row, "proxy_user_name");
  p.proxy_name = optional_text(r, row, "proxy_name");
  p.proxy_relation = optional_text(r, row, "proxy_relation");
  p.proxy_phone = optional_text(r, row, "proxy_phone");
  p.consent_method = optional_text(r, row, "consent_method");
  p.consent_at = optional_text(r, row, "consent_at");
  p.group_size = *optional_int(r, row, "group_size");
  p.representatives_json = text(r, row, "representatives");
  p.parent_id = optional_id(r, row, "parent_id");
  p.repeat_of = optional_id(r, row, "repeat_of");
  p.repeat_count = *optional_int(r, row, "repeat_count");
  p.chase_count = *optional_int(r, row, "chase_count");
  p.due_at = optional_text(r, row, "due_at");
  p.warn_at = optional_text(r, row, "warn_at");
  p.deadline_status = optional_text(r, row, "deadline_status");
  p.due = optional_instant(r, row, r.column("due_epoch"));
  p.reply_outcome = optional_text(r, row, "reply_outcome");
  p.satisfaction = optional_text(r, row, "satisfaction");
  p.received_at = text(r, row, "received_at");
  p.accepted_at = optional_text(r, row, "accepted_at");
  p.dispatched_at = optional_text(r, row, "dispatched_at");
  p.replied_at = optional_text(r, row, "replied_at");
  p.closed_at = optional_text(r, row, "closed_at");
  p.updated_at = text(r, row, "updated_at");
  p.reminders = *optional_int(r, row, "reminders");
  p.supervisions = *optional_int(r, row, "supervisions");
  p.supervised_by = optional_text(r, row, "supervised_by");
  p.criticised_at = optional_text(r, row, "criticised_at");
  p.handling_started = workflow::Instant{std::chrono::seconds{r.integer(row, r.column("handling_started"))}};

  auto& state = p.workflow_state;
  state.state = p.state;
  state.type = p.type;
  state.urgency = p.urgency;
  state.clocks = clocks_from_json(r.text(row, r.column("clocks")));
  state.requested_extension = *optional_int(r, row, "requested_extension");
  if (p.responsible_unit) state.responsible_unit = p.responsible_unit->code;
  for (const auto& unit : p.handed_down_from) state.handed_down_from.push_back(unit.code);
  state.complained_about = p.complained_units;
  state.oversight_unit = optional_text(r, row, "oversight_unit");
  state.previous_state = optional_text(r, row, "previous_state");
  const auto entered = json::parse(r.text(row, r.column("entered")));
  for (const auto& [name, at] : entered.as_object()) state.entered[std::string(name)] = instant_of(at);
  p.calendar_chain = r.words(row, r.column("calendar_chain"));
  return p;
}

std::string clocks_json(const workflow::PetitionState& state, const workflow::Definition& definition,
                        const workflow::Calendar& calendar) {
  json::array rows;
  int seq = 0;
  for (const auto& clock : state.clocks) {
    json::array pauses;
    for (const auto& pause : clock.pauses) {
      json::object p;
      p["from"] = epoch(pause.from);
      p["until"] = epoch_or_null(pause.until);
      pauses.push_back(std::move(p));
    }
    const auto* spec = definition.clock(clock.name);
    json::object row;
    row["seq"] = seq++;
    row["name"] = clock.name;
    row["started"] = epoch(clock.started);
    row["unit"] = workflow::duration_unit_name(clock.duration.unit);
    row["amount"] = clock.duration.amount;
    row["extension"] = clock.extension;
    row["pauses"] = std::move(pauses);
    row["stopped"] = epoch_or_null(clock.stopped);
    row["cap"] = epoch_or_null(clock.cap);
    row["deadline"] = epoch_or_null(workflow::deadline_of(clock, calendar));
    row["warn"] = epoch_or_null(spec ? workflow::first_warning(clock, *spec, calendar) : std::nullopt);
    row["window"] = spec && spec->window;
    rows.push_back(std::move(row));
  }
  return json::serialize(rows);
}

std::vector<ClockRecord> clocks_from_json(std::string_view text) {
  std::vector<ClockRecord> clocks;
  const auto parsed = json::parse(text);
  for (const auto& value : parsed.as_array()) {
    const auto& row = value.as_object();
    ClockRecord clock;
    clock.name = row.at("name").as_string().c_str();
    clock.started = instant_of(row.at("started"));
    clock.duration = {unit_from(row.at("unit").as_string()),
                      static_cast<int>(row.at("amount").to_number<std::int64_t>())};
    clock.extension = static_cast<int>(row.at("extension").to_number<std::int64_t>());
    for (const auto& pause : row.at("pauses").as_array()) {
      const auto& p = pause.as_object();
      workflow::Pause out{instant_of(p.at("from")), std::nullopt};
      if (!p.at("until").is_null()) out.until = instant_of(p.at("until"));
      clock.pauses.push_back(out);
    }
    if (!row.at("stopped").is_null()) clock.stopped = instant_of(row.at("stopped"));
    if (const auto* cap = row.if_contains("cap"); cap && !cap->is_null()) clock.cap = instant_of(*cap);
    clocks.push_back(std::move(clock));
  }
  return clocks;
}

}  // namespace petitiond::store
