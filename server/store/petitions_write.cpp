// Changing petitions: intake, workflow actions, follow-up calls and proxy grants. Each change reads what
// it needs in one round trip, decides in the pure workflow engine, then writes everything it caused in
// one transaction (one more round trip) and reads the result back in the same pipeline.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "server/auth/secrets.hpp"
#include "server/pg/error.hpp"
#include "server/store/audit.hpp"
#include "server/store/petition_rows.hpp"
#include "core/error.hpp"
#include "workflow/identity.hpp"
#include "workflow/intake.hpp"
#include "workflow/reporting.hpp"

namespace petitiond::store {
namespace json = boost::json;
using boost::asio::awaitable;
using workflow::Decision;
using workflow::Instant;

namespace {

constexpr const char* system_name = "系统";
constexpr const char* portal_name = "网上信访";

std::string tracking_code(Instant now) {
  // The date, then 12 characters of Crockford's base32 (no I, L, O, U: read out over the telephone without
  // confusion) in groups of four: 60 random bits, so that knowing a phone's last four digits does not make
  // the public status look-up guessable.
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const std::chrono::year_month_day day{workflow::local_date(now)};
  char date[16];
  std::snprintf(date, sizeof date, "%04d%02u%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  const auto random = auth::random_characters(alphabet, 12);
  return std::string(date) + "-" + random.substr(0, 4) + "-" + random.substr(4, 4) + "-" + random.substr(8, 4);
}

// Timestamps a state change sets on the petition row.
struct Milestones {
  bool accepted = false, dispatched = false, replied = false, closed = false, reopened = false;
};

Milestones milestones(const Decision& decision, const workflow::Definition& definition) {
  Milestones m;
  const auto* to = definition.state(decision.to);
  m.accepted = decision.to == "accepted";
  m.dispatched = decision.responsible_unit.has_value();  // handed to a unit; a refused return is no new order
  m.replied = decision.to == "replied";
  m.closed = decision.to == "closed" || (to && to->terminal);
  const auto* from = definition.state(decision.from);
  m.reopened = !m.closed && (decision.from == "closed" || (from && from->terminal));
  return m;
}

std::optional<std::string> field(const Decision& decision, const char* name) {
  auto it = decision.fields.find(name);
  if (it == decision.fields.end()) return std::nullopt;
  return it->second;
}

std::string fields_json(const std::map<std::string, std::string>& fields) {
  json::object out;
  for (const auto& [name, value] : fields) out[name] = value;
  return json::serialize(out);
}

// Facts for the managers' reports, each counted for a unit (docs/reports.md).
struct CountedFact {
  workflow::ReportFact fact;
  std::int64_t unit_id = 0;
};

void count_decision(std::vector<CountedFact>& out, const workflow::PetitionState& before, const Decision& decision,
                    const workflow::Definition& definition, const workflow::Calendar& calendar,
                    Instant handling_started, std::int64_t intake_unit, std::int64_t handling_unit) {
  for (auto& fact : workflow::report_facts(before, decision, definition, calendar, handling_started)) {
    const auto unit = fact.intake_unit ? intake_unit : handling_unit;
    out.push_back({std::move(fact), unit});
  }
}

pg::Statement report_facts_insert(std::int64_t petition_id, Instant at, const std::vector<CountedFact>& facts) {
  json::array rows;
  for (const auto& [fact, unit] : facts) {
    json::object row{{"unit_id", unit}, {"measure", fact.measure}};
    if (fact.on_time) row["on_time"] = *fact.on_time;
    if (fact.value) row["value"] = *fact.value;
    if (fact.measure == "replied" && fact.value) row["bucket"] = workflow::handling_time_bucket(*fact.value);
    rows.push_back(std::move(row));
  }
  return {
      "INSERT INTO report_facts (petition_id, at, day, unit_id, unit_path, level, category, channel, measure, on_time,"
      " value, bucket)"
      " SELECT p.id, to_timestamp($2), local_date(to_timestamp($2)), u.id, u.path, unit_level(u.path, u.kind),"
      " p.category, p.channel, f.measure, f.on_time, f.value, f.bucket"
      " FROM jsonb_to_recordset($3::jsonb) AS f(unit_id bigint, measure text, on_time boolean, value float8,"
      "   bucket smallint)"
      " JOIN units u ON u.id = f.unit_id, petitions p WHERE p.id = $1",
      petition_id, epoch(at), json::serialize(rows)};
}

Author author_of(const Actor& actor) {
  // No user (0): the petitioner's own text message, recorded in the desk's name.
  const auto id = actor.user_id > 0 ? std::optional(actor.user_id) : std::nullopt;
  return {id, actor.display_name.empty() ? actor.login : actor.display_name};
}

// The petition as it is after the writes before it in the same pipeline.
pg::Statement read_back(Instant now, std::int64_t id) {
  pg::Statement statement("", epoch(now), id);
  statement.sql = petition_select("to_timestamp($1)") + " WHERE p.id = $2";
  return statement;
}

// One outbox row per audience the decision notifies. The reason and days are the latest given on the
// petition: the decision's own, or those of the request it answers (an extension approved: its reason).
// Written after the decision's timeline event.
pg::Statement outbox_insert(std::int64_t petition_id, const std::vector<std::string>& audiences,
                            const std::string& topic, const std::string& tracking, const std::string& to_state) {
  json::object payload{{"tracking_code", tracking}, {"state", to_state}};
  return pg::Statement(
      "INSERT INTO outbox (petition_id, audience, topic, payload)"
      " SELECT $1, a, $3, $4::jsonb || jsonb_strip_nulls(jsonb_build_object("
      "   'reason', (SELECT e.fields->>'reason' FROM petition_events e WHERE e.petition_id = $1 AND e.fields ? 'reason'"
      "              ORDER BY e.id DESC LIMIT 1),"
      "   'days', (SELECT e.fields->>'days' FROM petition_events e WHERE e.petition_id = $1 AND e.fields ? 'days'"
      "            ORDER BY e.id DESC LIMIT 1)))"
      " FROM unnest($2::text[]) a",
      petition_id, pg::words_literal(audiences), topic, json::serialize(payload));
}

// A unit and its ancestors, nearest first: what the engine's complaint check and the new unit's working
// calendar need.
// The units whose path contains the one `unit_path` selects, nearest first.
std::string unit_chain_sql(const char* unit_path) {
  return std::string(
             "SELECT u.id, u.code, u.kind, nlevel(u.path), parent.code, u.calendar FROM units u"
             " LEFT JOIN units parent ON parent.id = u.parent_id WHERE u.path @> (") +
         unit_path + ") ORDER BY nlevel(u.path) DESC";
}

pg::Statement unit_chain_query(std::optional<std::string> code) {
  return pg::Statement(unit_chain_sql("SELECT path FROM units WHERE code = $1 AND active"), std::move(code));
}

// The same for the unit responsible for a petition: the units that handed it down are among them.
pg::Statement responsible_chain_query(std::int64_t petition_id) {
  return pg::Statement(
      unit_chain_sql("SELECT ru.path FROM petitions p JOIN units ru ON ru.id = p.responsible_unit_id WHERE p.id = $1"),
      petition_id);
}

struct UnitChain {
  std::map<std::string, workflow::UnitInfo> units;
  std::optional<std::int64_t> id;      // the unit itself
  std::vector<std::string> calendars;  // calendar names from the unit up
};

// The chain from `from` (by default the nearest unit of the rows) up.
UnitChain unit_chain_from(const pg::Result& rows, std::optional<std::string> from = std::nullopt) {
  UnitChain chain;
  bool reached = !from;
  for (int row = 0; row < rows.rows(); ++row) {
    workflow::UnitInfo info{std::string(rows.text(row, 1)), std::string(rows.text(row, 2)),
                            static_cast<int>(rows.integer(row, 3)), rows.optional_text(row, 4), std::nullopt};
    if (!reached && info.code != *from) continue;
    reached = true;
    if (!chain.id) chain.id = rows.integer(row, 0);
    chain.units[info.code] = info;
    if (!rows.is_null(row, 5)) chain.calendars.emplace_back(rows.text(row, 5));
  }
  return chain;
}

std::string given_petitioner_json(const PetitionerInput& p) {
  json::object given;
  auto put = [&given](const char* name, const auto& value) {
    if (value) given[name] = *value;
  };
  put("name", p.name);
  put("gender", p.gender);
  put("id_number", p.id_number);
  put("phone", p.phone);
  put("certificate_number", p.certificate_number);
  put("address", p.address);
  put("email", p.email);
  put("disability_type", p.disability_type);
  put("disability_grade", p.disability_grade);
  return json::serialize(given);
}

bool is_repeat_key_conflict(const pg::QueryError& e) {
  return e.is(pg::sqlstate::unique_violation) && e.constraint() == "idempotency_keys_pkey";
}
bool is_tracking_code_conflict(const pg::QueryError& e) {
  return e.is(pg::sqlstate::unique_violation) && e.constraint() == "petitions_tracking_code_key";
}

}  // namespace

awaitable<std::pair<Petition, bool>> PetitionStore::create(NewPetition in, Intake intake) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto created = co_await create_once(in, intake);
      if (intake.actor) wrote(intake.actor->user_id);
      co_return created;
    } catch (const pg::QueryError& e) {
      if (!calendars_changed(e) || attempt == 3) throw;
    }
    co_await calendars_.reload();  // changed by another process, whose NOTIFY has not reached this one yet
  }
}

namespace {

std::optional<std::string> phone_key_of(const std::optional<std::string>& phone) {
  if (!phone) return std::nullopt;
  auto key = normalise_phone(*phone);
  if (key.empty()) return std::nullopt;
  return key;
}

// Round trip 1 of a registration: everything intake decides on, read in one pipeline.
struct IntakeReads {
  pg::Batch batch;
  pg::Batch::Handle replay, desk, home, complained, on_record, earlier, ids, call;
};

IntakeReads intake_reads(const NewPetition& in, const Intake& intake, const std::string& scope,
                         const std::optional<std::string>& phone_key, Instant now) {
  IntakeReads r;
  const bool staff = intake.actor.has_value();
  if (!staff) r.batch.add(take_rate_token("submissions", 5, "submit:" + intake.address));  // staff are not limited
  r.replay = r.batch.add({"SELECT petition_id, request_hash FROM idempotency_keys WHERE scope = $1 AND key = $2", scope,
                          intake.idempotency_key});
  // An operator's own unit registers what it takes in; the portal's petitions and those proxies file go
  // to the registration desk the `portal.intake_unit` setting names (the root unit when none is set).
  std::optional<std::int64_t> actor_unit;
  if (intake.actor && intake.actor->has(Role::operator_)) actor_unit = intake.actor->unit_id;
  // A complaint about the desk's own unit (or one above it) is registered by the nearest unit above the
  // accused instead, so that it is never counted, listed or told there; none left (the top unit is accused):
  // by the oversight unit (the `oversight.unit` setting), which is never left out by an accusation above it.
  r.desk = r.batch.add(pg::Statement("SELECT u.id, " + calendar_chain("u.path") +
                                         ", nlevel(u.path) FROM units u"
                                         " WHERE u.id = registering_desk(coalesce($1,"
                                         "  (SELECT id FROM units WHERE code = (SELECT value #>> '{}' FROM settings "
                                         "WHERE key = 'portal.intake_unit')),"
                                         "  (SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1)),"
                                         " ARRAY(SELECT id FROM units WHERE code = ANY ($2::text[])))",
                                     actor_unit, pg::words_literal(in.complained_unit_codes)));
  r.home = r.batch.add({"SELECT id FROM units WHERE code = $1 AND active", in.petitioner.unit_code});
  r.complained = r.batch.add(
      {"SELECT code, id FROM units WHERE code = ANY ($1::text[])", pg::words_literal(in.complained_unit_codes)});
  std::optional<std::string> known_id_number;
  if (staff) known_id_number = in.petitioner.id_number;
  r.on_record = r.batch.add(
      {"SELECT id FROM petitioners WHERE id_number = $1 AND NOT self_reported ORDER BY id LIMIT 1", known_id_number});
  r.earlier = r.batch.add(pg::Statement(
      // The person first (by ID number or phone, each indexed), then each one's petitions newest first (by
      // petitioner and time): however common the category, only this person's petitions are read.
      "SELECT p.id, p.state, p.open FROM"
      " (SELECT pr.id FROM petitioners pr WHERE pr.id_number = $2 UNION"
      "  SELECT pr.id FROM petitioners pr WHERE pr.phone_key = coalesce($3, (SELECT CASE direction WHEN 'out' THEN "
      "to_key "
      "ELSE from_key END FROM calls WHERE call_id = $6))) person"
      " CROSS JOIN LATERAL (SELECT p.id, p.state, p.due_at IS NOT NULL AS open, p.received_at FROM petitions p"
      "   WHERE p.petitioner_id = person.id AND p.category = $1 AND p.parent_id IS NULL"
      "     AND (p.state = $4 OR p.received_at > to_timestamp($5) - make_interval(days => coalesce((SELECT"
      "          (value #>> '{}')::int FROM settings WHERE key = 'petitions.repeat_window_days'), 90)))"
      "   ORDER BY p.received_at DESC LIMIT 20) p"
      " ORDER BY p.received_at DESC LIMIT 20",
      in.category, in.petitioner.id_number, phone_key, workflow::concluded_state, epoch(now), in.call_id));
  r.ids = r.batch.add(
      "SELECT nextval(pg_get_serial_sequence('petitions', 'id')), nextval(pg_get_serial_sequence('petitioners', "
      "'id'))");
  // The citizen's side of the call: the caller, or the callee of an outbound call.
  r.call =
      r.batch.add({"SELECT id, CASE direction WHEN 'out' THEN to_number ELSE from_number END,"
                   " CASE direction WHEN 'out' THEN to_key ELSE from_key END FROM calls WHERE call_id = $1",
                   in.call_id});
  return r;
}

// What the reads found, checked: each unknown reference is refused naming its field.
struct IntakeFound {
  std::int64_t intake_unit_id = 0;
  int intake_unit_depth = 1;
  std::vector<std::string> calendar_chain;
  std::optional<std::int64_t> petitioner_unit_id;
  std::vector<std::string> complained_ids;
  std::optional<std::int64_t> existing_petitioner;
  std::vector<workflow::EarlierPetition> earlier;
  std::int64_t id = 0, petitioner_id = 0;
};

// Also completes `in` and `phone_key` with the caller's number when a call is named and no phone was given.
IntakeFound checked_intake(const pg::BatchResults& found, const IntakeReads& r, NewPetition& in,
                           std::optional<std::string>& phone_key) {
  IntakeFound f;
  if (found[r.desk].rows() == 0)
    throw Error(Errc::invalid_field,
                "the complaint is about the top unit and no oversight unit is set (oversight.unit); transfer it to the "
                "level above",
                "complaint.units");
  f.intake_unit_id = found[r.desk].integer(0, 0);
  f.calendar_chain = found[r.desk].words(0, 1);
  f.intake_unit_depth = static_cast<int>(found[r.desk].integer(0, 2));
  if (in.petitioner.unit_code) {
    if (found[r.home].rows() == 0) throw Error(Errc::invalid_field, "no active unit has this code", "petitioner.unit");
    f.petitioner_unit_id = found[r.home].integer(0, 0);
  }
  const auto& complained = found[r.complained];
  for (const auto& code : in.complained_unit_codes) {
    bool known = false;
    for (int row = 0; row < complained.rows(); ++row)
      if (complained.text(row, 0) == code) {
        f.complained_ids.emplace_back(complained.text(row, 1));
        known = true;
      }
    if (!known) throw Error(Errc::invalid_field, "no unit has the code " + code, "complaint.units");
  }
  if (found[r.on_record].rows() > 0) f.existing_petitioner = found[r.on_record].integer(0, 0);
  const auto& earlier = found[r.earlier];
  for (int row = 0; row < earlier.rows(); ++row)
    f.earlier.push_back({earlier.integer(row, 0), std::string(earlier.text(row, 1)), earlier.boolean(row, 2)});
  f.id = found[r.ids].integer(0, 0);
  f.petitioner_id = f.existing_petitioner ? *f.existing_petitioner : found[r.ids].integer(0, 1);
  const auto& call = found[r.call];
  if (in.call_id && call.rows() == 0) throw Error(Errc::invalid_field, "no call has this callId", "call_id");
  if (in.call_id && !in.petitioner.phone && !call.is_null(0, 2)) {
    in.petitioner.phone = std::string(call.text(0, 1));  // the caller's number, as the telephone system gave it
    phone_key = std::string(call.text(0, 2));
  }
  return f;
}

// Everything a registration writes follows from these.
struct IntakeWrite {
  const NewPetition& in;
  const Intake& intake;
  const std::string& scope;
  const std::optional<std::string>& phone_key;
  const IntakeFound& found;
  const workflow::IntakeOutcome& outcome;
  const workflow::Definition& definition;
  const workflow::Calendar& calendar;
  const CalendarsInForce& calendars;
  Instant now;

  bool operator_filed() const { return intake.actor && intake.actor->has(Role::operator_); }
  Author author() const { return intake.actor ? author_of(*intake.actor) : Author{std::nullopt, portal_name}; }
};

// The petitioner's row: a new person, or a known one an operator completes (never overwriting what was
// recorded: a known ID number is not proof of who is asking); a proxy's filing only links a known person.
std::optional<pg::Statement> petitioner_write(const IntakeWrite& w) {
  const auto& p = w.in.petitioner;
  const auto& f = w.found;
  if (f.existing_petitioner && w.operator_filed())
    return pg::Statement(
        "UPDATE petitioners SET name = coalesce(name, $2), gender = coalesce(gender, $3), phone = coalesce(phone, $4),"
        " phone_key = coalesce(phone_key, $5), certificate_number = coalesce(certificate_number, $6),"
        " disability_type = coalesce(disability_type, $7), disability_grade = coalesce(disability_grade, $8),"
        " address = coalesce(address, $9), unit_id = coalesce(unit_id, $10), email = coalesce(email, $11),"
        " updated_at = now() WHERE id = $1",
        f.petitioner_id, p.name, p.gender, p.phone, w.phone_key, p.certificate_number, p.disability_type,
        p.disability_grade, p.address, f.petitioner_unit_id, p.email);
  if (f.existing_petitioner) return std::nullopt;
  return pg::Statement(
      "INSERT INTO petitioners (id, name, gender, id_number, phone, phone_key, certificate_number, disability_type,"
      " disability_grade, address, unit_id, self_reported, email, language, preferred_channel, contact_consent)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, coalesce($14, 'zh'), coalesce($15, 'sms'),"
      " coalesce($16, true))",
      f.petitioner_id, p.name, p.gender, p.id_number, p.phone, w.phone_key, p.certificate_number, p.disability_type,
      p.disability_grade, p.address, f.petitioner_unit_id, !w.intake.actor, p.email, p.language, p.preferred_channel,
      p.contact_consent);
}

pg::Statement petition_insert(const IntakeWrite& w, const std::string& code) {
  const auto& in = w.in;
  Milestones reached;
  for (const auto& step : w.outcome.steps) {
    auto m = milestones(step.decision, w.definition);
    reached.closed |= m.closed;
    reached.replied |= m.replied;
  }
  const auto obligation = workflow::next_obligation(w.outcome.state, w.definition, w.calendar);
  json::array representatives;
  for (const auto& r : in.representatives) {
    json::object person{{"name", r.name}};
    if (r.phone) person["phone"] = *r.phone;
    if (r.id_number) person["id_number"] = *r.id_number;
    representatives.push_back(std::move(person));
  }
  std::optional<std::int64_t> proxy_user, consent_at, filed_by;
  std::optional<std::string> proxy_name, proxy_relation, proxy_phone, consent_method;
  if (in.proxy) {
    if (in.proxy->filer_is_proxy && w.intake.actor) proxy_user = w.intake.actor->user_id;
    proxy_name = in.proxy->name;
    proxy_relation = in.proxy->relation;
    proxy_phone = in.proxy->phone;
    consent_method = in.proxy->consent_method;
    consent_at = in.proxy->consent_at;
  }
  if (w.intake.actor) filed_by = w.intake.actor->user_id;
  // A proxy's filing that matched a person on record only links the petition; what the proxy said of the
  // petitioner is kept with it, and is what the proxy is shown.
  std::optional<std::string> petitioner_given;
  if (w.found.existing_petitioner && !w.operator_filed()) petitioner_given = given_petitioner_json(in.petitioner);
  return pg::Statement(
      "INSERT INTO petitions (id, tracking_code, channel, workflow, workflow_version, type, category, urgency,"
      " subject, content, state, petitioner_id, anonymous, filed_by, intake_unit_id, complaint_object,"
      " complained_unit_ids, proxy_user_id, proxy_name, proxy_relation, proxy_phone, consent_method, consent_at,"
      " group_size, representatives, repeat_of, due_at, warn_at, received_at, replied_at, closed_at, updated_at,"
      " petitioner_given)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::bigint[], $18, $19,"
      " $20, $21, $22, to_timestamp($23), $24, $25::jsonb, $26, to_timestamp($27), to_timestamp($28),"
      " to_timestamp($33), to_timestamp($30), to_timestamp($31), to_timestamp($29), $32::jsonb)",
      w.found.id, code, in.channel, w.definition.workflow, w.definition.version, in.type, in.category, in.urgency,
      in.subject, in.content, w.outcome.state.state, w.found.petitioner_id, in.anonymous, filed_by,
      w.found.intake_unit_id, in.complaint_object, pg::words_literal(w.found.complained_ids), proxy_user, proxy_name,
      proxy_relation, proxy_phone, consent_method, consent_at, in.group_size, json::serialize(representatives),
      w.outcome.repeat_of, optional_epoch(obligation.due), optional_epoch(obligation.warn), epoch(w.now),
      reached.replied ? std::optional(epoch(w.now)) : std::nullopt,
      reached.closed ? std::optional(epoch(w.now)) : std::nullopt, petitioner_given,
      epoch(in.received.value_or(w.now)));
}

// Round trip 2: the registration in one transaction, read back at its end.
std::vector<pg::Statement> intake_writes(const IntakeWrite& w, const std::string& code) {
  const auto id = w.found.id;
  const auto unit = w.found.intake_unit_id;
  std::vector<pg::Statement> writes;
  writes.push_back(calendars_unchanged(w.calendars));
  if (auto petitioner = petitioner_write(w)) writes.push_back(std::move(*petitioner));
  writes.push_back(petition_insert(w, code));
  if (w.intake.idempotency_key)
    writes.emplace_back("INSERT INTO idempotency_keys (scope, key, request_hash, petition_id) VALUES ($1, $2, $3, $4)",
                        w.scope, *w.intake.idempotency_key, w.intake.request_hash, id);
  json::object registered{{"channel", w.in.channel}};
  if (w.outcome.repeat_of) registered["repeat_of"] = *w.outcome.repeat_of;
  if (w.in.call_id) registered["call_id"] = *w.in.call_id;
  writes.push_back(event_insert(id, w.author(), w.now, "registered", std::nullopt, w.definition.initial_state().name,
                                json::serialize(registered)));
  std::vector<CountedFact> facts{{{"received", true, std::nullopt, std::nullopt}, unit}};
  if (w.outcome.repeat_of) facts.push_back({{"repeat", true, std::nullopt, std::nullopt}, unit});
  for (const auto& step : w.outcome.steps) {
    const Author by = step.by_system ? Author{std::nullopt, system_name} : w.author();
    writes.push_back(event_insert(id, by, w.now, step.decision.transition, step.decision.from, step.decision.to,
                                  fields_json(step.decision.fields)));
    count_decision(facts, step.before, step.decision, w.definition, w.calendar, w.now, unit, unit);
  }
  writes.push_back(clocks_upsert(id, clocks_json(w.outcome.state, w.definition, w.calendar)));
  writes.push_back(report_facts_insert(id, w.now, facts));
  for (auto& statement :
       escalation_statements(id, w.outcome.state, w.definition, w.calendar, w.found.intake_unit_depth, false))
    writes.push_back(std::move(statement));
  writes.push_back(outbox_insert(id, {"petitioner"}, "registered", code, w.definition.initial_state().name));
  if (auto told = w.definition.notify_on_registration.find(w.in.urgency);
      told != w.definition.notify_on_registration.end())
    writes.push_back(
        outbox_insert(id, told->second, "registered_" + w.in.urgency, code, w.definition.initial_state().name));
  for (const auto& step : w.outcome.steps)
    if (!step.decision.notify.empty())
      writes.push_back(outbox_insert(id, step.decision.notify, step.decision.transition, code, step.decision.to));
  if (w.in.call_id) writes.emplace_back("UPDATE calls SET petition_id = $2 WHERE call_id = $1", *w.in.call_id, id);
  writes.push_back(read_back(w.now, id));
  return writes;
}

}  // namespace

awaitable<std::pair<Petition, bool>> PetitionStore::create_once(NewPetition in, Intake intake) {
  const auto& definition = workflows_.active("petition");
  const auto now = clock_();
  auto categories = routing_.current()->categories();
  if (std::find(categories.begin(), categories.end(), in.category) == categories.end())
    throw Error(Errc::invalid_field, "unknown category '" + in.category + "'", "category");
  const std::string scope = intake.actor ? "user:" + std::to_string(intake.actor->user_id) : "portal";
  auto phone_key = phone_key_of(in.petitioner.phone);

  auto reads = intake_reads(in, intake, scope, phone_key, now);
  auto results = co_await pool_.run(std::move(reads.batch));
  if (results[reads.replay].rows() > 0) {
    if (results[reads.replay].text(0, 1) != intake.request_hash)
      throw Error(Errc::invalid_field, "was already used for a different request", "Idempotency-Key");
    auto again = read_back(now, results[reads.replay].integer(0, 0));
    auto result = co_await pool_.run_one(std::move(again));
    co_return std::make_pair(petition_from(result, 0), false);
  }
  const auto found = checked_intake(results, reads, in, phone_key);

  const auto calendars = calendars_.current();  // held: the set may be replaced while this runs
  const auto& calendar = calendars->resolve(found.calendar_chain);
  workflow::IntakeRequest request{in.type, in.urgency, now, found.earlier, in.answer_on_call, {}, in.received};
  if (intake.actor && intake.actor->has(Role::operator_)) request.filer_roles.insert("operator");
  const auto outcome = workflow::decide_intake(definition, calendar, request);

  const IntakeWrite plan{in, intake, scope, phone_key, found, outcome, definition, calendar, *calendars, now};
  for (int attempt = 0;; ++attempt) {
    auto writes = intake_writes(plan, tracking_code(now));
    try {
      auto written = co_await pool_.run(std::move(writes));
      co_return std::make_pair(petition_from(written.back(), 0), true);
    } catch (const pg::QueryError& e) {
      if (is_tracking_code_conflict(e) && attempt < 3) continue;
      if (!is_repeat_key_conflict(e)) throw;
    }
    // The same key committed by a concurrent request in the meantime: answer with its petition.
    pg::Statement again("", epoch(now), scope, *intake.idempotency_key, intake.request_hash);
    again.sql = petition_select("to_timestamp($1)") +
                " WHERE p.id = (SELECT petition_id FROM idempotency_keys WHERE scope = $2 AND key = $3"
                " AND request_hash = $4)";
    auto result = co_await pool_.run_one(std::move(again));
    if (result.rows() == 0)
      throw Error(Errc::invalid_field, "was already used for a different request", "Idempotency-Key");
    co_return std::make_pair(petition_from(result, 0), false);
  }
}

awaitable<Petition> PetitionStore::act(const Actor& actor, std::int64_t id, ActionRequest action) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto acted = co_await act_once(actor, id, action);
      wrote(actor.user_id);
      co_return acted;
    } catch (const pg::QueryError& e) {
      if (!calendars_changed(e) || attempt == 3) throw;
    }
    co_await calendars_.reload();  // changed by another process, whose NOTIFY has not reached this one yet
  }
}

namespace {

std::optional<std::int64_t> parent_field(const ActionRequest& action) {
  auto it = action.fields.find("parent");
  if (it == action.fields.end()) return std::nullopt;
  try {
    std::size_t used = 0;
    const auto parent_id = std::stoll(it->second, &used);
    if (used != it->second.size() || parent_id <= 0) throw std::invalid_argument("parent");
    return parent_id;
  } catch (const std::exception&) {
    throw Error(Errc::invalid_field, "must be the id of the petition to merge into", "parent");
  }
}

// Everything an action writes follows from these.
struct ActionWrite {
  const Petition& petition;
  const ActionRequest& action;
  const Decision& decision;
  const workflow::PetitionState& state;  // after the decision
  const workflow::Definition& definition;
  const workflow::Calendar& calendar;        // the petition's
  const workflow::Calendar& after_calendar;  // the responsible unit's after the decision
  const CalendarsInForce& calendars;
  const UnitChain& chain;
  std::optional<std::int64_t> parent_id;
  std::optional<std::vector<std::string>> co_units;
  std::optional<std::int64_t> reviewing_unit_id;  // set when the action asks for a review or re-review
  Author author;
  std::string actor_login;
  std::int64_t actor_unit_id = 0;
  Instant now;
};

// A merge undone (a `back` transition out of the state a merge leads to) takes the petition out of its parent.
bool leaves_parent(const ActionWrite& w) {
  const auto* transition = w.definition.transition(w.decision.transition);
  return transition && transition->back && w.petition.parent_id;
}

// A manual chase (催办) counts on the petition like the escalation rules' reminders.
bool counts_reminder(const Decision& d, const workflow::Definition& definition) {
  const auto* transition = definition.transition(d.transition);
  return transition && std::ranges::find(transition->report, "reminded") != transition->report.end();
}

pg::Statement petition_update(const ActionWrite& w) {
  const auto& d = w.decision;
  const auto obligation = workflow::next_obligation(w.state, w.definition, w.after_calendar);
  const auto m = milestones(d, w.definition);
  auto corrected = [&d](const char* name) { return d.reclassified ? field(d, name) : std::nullopt; };
  const auto complained = corrected("complained_units");
  return require_change(
      {"UPDATE petitions SET state = $3, version = version + 1,"
       " responsible_unit_id = CASE WHEN $25 THEN NULL ELSE coalesce($4, responsible_unit_id) END,"
       " requested_extension = $5, due_at = to_timestamp($6), warn_at = to_timestamp($7),"
       " updated_at = to_timestamp($8),"
       " accepted_at = CASE WHEN $9 THEN coalesce(accepted_at, to_timestamp($8)) ELSE accepted_at END,"
       " dispatched_at = CASE WHEN $10 THEN to_timestamp($8) ELSE dispatched_at END,"
       " replied_at = CASE WHEN $11 THEN to_timestamp($8) ELSE replied_at END,"
       " closed_at = CASE WHEN $12 THEN to_timestamp($8) WHEN $13 THEN NULL ELSE closed_at END,"
       " reply_outcome = coalesce($14, reply_outcome), satisfaction = coalesce($15, satisfaction),"
       " parent_id = CASE WHEN $20 THEN NULL ELSE coalesce($16, parent_id) END,"
       " co_unit_ids = CASE WHEN $17::text[] IS NULL THEN co_unit_ids"
       "   ELSE (SELECT coalesce(array_agg(id), '{}') FROM units WHERE code = ANY ($17::text[])) END,"
       " handed_down_from = CASE WHEN $25 THEN '{}'"
       "   WHEN $18 = 'down' THEN array_append(handed_down_from, responsible_unit_id)"
       "   WHEN $18 = 'up' THEN handed_down_from[1:cardinality(handed_down_from) - 1] ELSE handed_down_from END,"
       " reviewing_unit_id = coalesce($19, reviewing_unit_id), reminders = reminders + $26::int,"
       " type = coalesce($21, type), category = coalesce($22, category), urgency = coalesce($23, urgency),"
       " complained_unit_ids = CASE WHEN $24::text[] IS NULL THEN complained_unit_ids"
       "   ELSE ARRAY(SELECT id FROM units WHERE code = ANY ($24::text[])) END,"
       // Corrected to accuse the unit that registered it: the one above the accused registers it instead.
       " intake_unit_id = CASE WHEN $24::text[] IS NULL THEN intake_unit_id ELSE coalesce(registering_desk("
       "   intake_unit_id, ARRAY(SELECT id FROM units WHERE code = ANY ($24::text[]))), intake_unit_id) END"
       " WHERE id = $1 AND version = $2 RETURNING 1",
       w.petition.id,
       w.action.expected_version,
       w.state.state,
       d.responsible_unit ? w.chain.id : std::nullopt,
       w.state.requested_extension,
       optional_epoch(obligation.due),
       optional_epoch(obligation.warn),
       epoch(w.now),
       m.accepted,
       m.dispatched,
       m.replied,
       m.closed,
       m.reopened,
       d.to == "replied" ? field(d, "outcome") : std::nullopt,
       field(d, "satisfaction"),
       w.parent_id,
       w.co_units ? std::optional(pg::words_literal(*w.co_units)) : std::nullopt,
       d.hands == workflow::Transition::Hands::down ? "down"
       : d.hands == workflow::Transition::Hands::up ? "up"
                                                    : "none",
       w.reviewing_unit_id,
       leaves_parent(w),
       corrected("type"),
       corrected("category"),
       corrected("urgency"),
       complained ? std::optional(pg::words_literal(workflow::split_codes(*complained))) : std::nullopt,
       d.reclassified && d.reclassified->unassigned,
       counts_reminder(d, w.definition) ? 1 : 0},
      "the petition was changed by someone else");
}

// The action in one transaction, read back at its end.
std::vector<pg::Statement> action_writes(const ActionWrite& w) {
  const auto& petition = w.petition;
  const auto& d = w.decision;
  const auto id = petition.id;
  std::vector<pg::Statement> writes;
  writes.push_back(calendars_unchanged(w.calendars));
  // Escalation points first: the deadline scheduler locks a point, then its petition; taking them in the
  // same order here means the two never deadlock.
  // Escalation counts levels from the unit now responsible (the one registering it, before a dispatch).
  int level = petition.responsible_unit ? petition.responsible_unit->depth : petition.intake_unit.depth;
  if (d.responsible_unit)
    if (auto it = w.chain.units.find(*d.responsible_unit); it != w.chain.units.end()) level = it->second.depth;
  for (auto& statement : escalation_statements(id, w.state, w.definition, w.after_calendar, level, true))
    writes.push_back(std::move(statement));
  writes.push_back(petition_update(w));
  writes.push_back(clocks_upsert(id, clocks_json(w.state, w.definition, w.after_calendar)));
  writes.push_back(event_insert(id, w.author, w.now, d.transition, d.from, d.to, fields_json(d.fields)));
  std::vector<CountedFact> facts;
  const auto handling_unit = d.responsible_unit && w.chain.id ? *w.chain.id
                             : petition.responsible_unit      ? petition.responsible_unit->id
                                                              : petition.intake_unit.id;
  count_decision(facts, petition.workflow_state, d, w.definition, w.calendar, petition.handling_started,
                 petition.intake_unit.id, handling_unit);
  if (!facts.empty()) writes.push_back(report_facts_insert(id, w.now, facts));
  // A reply that went up to be checked is told as such, not as a reply to the petitioner.
  const auto* transition = w.definition.transition(d.transition);
  const auto& topic = transition && !transition->to_when_handed_down.empty() && d.to == transition->to_when_handed_down
                          ? d.to
                          : d.transition;
  if (!d.notify.empty()) writes.push_back(outbox_insert(id, d.notify, topic, petition.tracking_code, d.to));
  // Co-handlers named with a dispatch each get their part, with its limit from now.
  if (w.co_units && !w.co_units->empty()) {
    std::optional<std::int64_t> due;
    if (auto limit = workflow::co_handling_limit(w.definition, w.state.urgency))
      due = optional_epoch(workflow::clock_state(w.after_calendar, *limit, w.now, {}, w.now).deadline);
    writes.emplace_back(
        "INSERT INTO co_handling_parts (petition_id, unit_id, started_at, due_at)"
        " SELECT $1, id, to_timestamp($2), to_timestamp($3) FROM units WHERE code = ANY ($4::text[])"
        " ON CONFLICT (petition_id, unit_id) DO NOTHING",
        id, epoch(w.now), due, pg::words_literal(*w.co_units));
  }
  // A co-handler's part: signed for, or its contribution given (once).
  if (const auto* t = w.definition.transition(d.transition); t && !t->part.empty()) {
    if (t->part == "sign")
      writes.push_back(require_change({"UPDATE co_handling_parts SET signed_at = to_timestamp($3), signed_by = $4"
                                       " WHERE petition_id = $1 AND unit_id = $2 AND signed_at IS NULL RETURNING 1",
                                       id, w.actor_unit_id, epoch(w.now), w.author.id},
                                      "your unit has no part of this petition to sign for"));
    else
      writes.push_back(require_change(
          {"UPDATE co_handling_parts SET contributed_at = to_timestamp($3), contributed_by = $4, contribution = $5"
           " WHERE petition_id = $1 AND unit_id = $2 AND signed_at IS NOT NULL AND contributed_at IS NULL RETURNING 1",
           id, w.actor_unit_id, epoch(w.now), w.author.id, field(d, "contribution")},
          "your unit has no signed part of this petition to contribute to"));
  }
  // A correction of what the petition is: the place is the petitioner's; the change is audited as well.
  if (d.reclassified) {
    if (auto place = field(d, "place"))
      writes.emplace_back(
          "UPDATE petitioners SET unit_id = (SELECT id FROM units WHERE code = $2 AND active), updated_at = now()"
          " WHERE id = $1",
          petition.petitioner.id, *place);
    AuditEvent audit;
    audit.action = "petition.reclassified";
    audit.actor_id = w.author.id;
    audit.actor_login = w.actor_login;
    audit.target_type = "petition";
    audit.target_id = std::to_string(id);
    for (const char* name : {"type", "category", "urgency", "place", "complained_units"})
      if (auto value = field(d, name)) audit.details[name] = *value;
    audit.details["unassigned"] = d.reclassified->unassigned;
    writes.push_back(audit_insert(audit));
  }
  // Undone: the petition it was merged into counts one repeat fewer and says so.
  if (leaves_parent(w)) {
    writes.emplace_back(
        "UPDATE petitions SET repeat_count = greatest(repeat_count - 1, 0), updated_at = to_timestamp($2) WHERE id = "
        "$1",
        *petition.parent_id, epoch(w.now));
    writes.push_back(
        event_insert(*petition.parent_id, w.author, w.now, "repeat_unmerged", std::nullopt, std::nullopt,
                     json::serialize(json::object{{"child", id}, {"tracking_code", petition.tracking_code}})));
  }
  if (w.parent_id) {
    writes.emplace_back(
        "UPDATE petitions SET repeat_count = repeat_count + 1, updated_at = to_timestamp($2) WHERE id = $1",
        *w.parent_id, epoch(w.now));
    writes.push_back(
        event_insert(*w.parent_id, w.author, w.now, "repeat_merged", std::nullopt, std::nullopt,
                     json::serialize(json::object{{"child", id}, {"tracking_code", petition.tracking_code}})));
  }
  writes.push_back(read_back(w.now, id));
  return writes;
}

}  // namespace

namespace {
// Unit codes a command field lists, each once and in order, as the database counts them.
std::vector<std::string> distinct_codes(const std::string& text) {
  auto codes = workflow::split_codes(text);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}
}  // namespace

// A reclassification names a known category, an active place and existing units, or is refused naming the field.
awaitable<void> PetitionStore::check_corrections(const std::map<std::string, std::string>& fields) {
  auto given = [&fields](const char* name) -> std::optional<std::string> {
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
  if (auto category = given("category")) {
    const auto categories = routing_.current()->categories();
    if (std::find(categories.begin(), categories.end(), *category) == categories.end())
      throw Error(Errc::invalid_field, "unknown category '" + *category + "'", "category");
  }
  const auto complained = distinct_codes(given("complained_units").value_or(""));
  pg::Statement known(
      "SELECT (SELECT count(*) FROM units WHERE code = ANY ($1::text[])),"
      " (SELECT count(*) FROM units WHERE code = $2 AND active)",
      pg::words_literal(complained), given("place"));
  auto found = co_await pool_.run_one(std::move(known));
  if (found.integer(0, 0) != static_cast<std::int64_t>(complained.size()))
    throw Error(Errc::invalid_field, "names a unit that does not exist", "complained_units");
  if (given("place") && found.integer(0, 1) == 0)
    throw Error(Errc::invalid_field, "no active unit has this code", "place");
}

awaitable<Petition> PetitionStore::act_once(const Actor& actor, std::int64_t id, ActionRequest action) {
  const auto now = clock_();
  std::optional<std::string> unit_code;
  if (auto it = action.fields.find("unit"); it != action.fields.end()) unit_code = it->second;
  const auto parent_id = parent_field(action);
  pg::Batch reads;
  pg::Statement load("", epoch(now), id);
  load.sql = petition_select("to_timestamp($1)") + " WHERE p.id = $2 AND " + visible_petitions_condition(actor, load);
  const auto loaded = reads.add(std::move(load));
  const auto unit = reads.add(unit_chain_query(unit_code));
  const auto responsible = reads.add(responsible_chain_query(id));
  pg::Statement parent_check("", parent_id);
  parent_check.sql = "SELECT p.id, p.parent_id, p.state, p.petitioner_id FROM petitions p WHERE p.id = $1 AND " +
                     visible_petitions_condition(actor, parent_check);
  const auto parent = reads.add(std::move(parent_check));
  auto found = co_await pool_.run(std::move(reads));
  if (found[loaded].rows() == 0) throw Error(Errc::not_found, "no such petition");
  const auto petition = petition_from(found[loaded], 0);
  if (action.expected_version != petition.version)
    throw Error(Errc::conflict, "the petition was changed by someone else (now version " +
                                    std::to_string(petition.version) + "); reload it and try again");
  if (parent_id) {
    if (found[parent].rows() == 0 || *parent_id == id)
      throw Error(Errc::invalid_field, "no other petition with this id can be merged into", "parent");
    if (!found[parent].is_null(0, 1))
      throw Error(Errc::invalid_field, "that petition was itself merged into another", "parent");
    // Only what belongs together is merged (信访工作条例 Art 29: the same matter of the same person): the same
    // petitioner, a repeat flagged at intake, or an explicit reason, which the timeline keeps.
    const bool same_person = found[parent].integer(0, 3) == petition.petitioner.id;
    const bool flagged = petition.repeat_of == *parent_id;
    auto reason = action.fields.find("reason");
    if (!same_person && !flagged && (reason == action.fields.end() || reason->second.empty()))
      throw Error(Errc::invalid_field,
                  "is another petitioner's petition and this one was not flagged as its repeat: give a reason to merge",
                  "reason");
  }

  auto chain = unit_chain_from(found[unit]);
  // A dispatch without a unit goes where the routing table says, with the rule's co-handlers.
  const auto& definition = definition_of(petition);
  const auto* transition = definition.transition(action.transition);
  std::optional<std::vector<std::string>> co_units;
  if (!unit_code && transition &&
      std::count(transition->required_fields.begin(), transition->required_fields.end(), "unit") > 0) {
    if (auto routed = co_await suggest_route(petition)) {
      auto query = unit_chain_query(routed->lead);
      auto suggested = co_await pool_.run_one(std::move(query));
      chain = unit_chain_from(suggested);
      action.fields["unit"] = routed->lead;
      co_units = routed->co;
    }
  }
  if (unit_code && !chain.id) throw Error(Errc::invalid_field, "no active unit has this code", "unit");
  // Co-handlers named with the dispatch: existing units the petition does not accuse, other than the lead.
  if (auto named = action.fields.find("co_units");
      named != action.fields.end() && transition &&
      std::count(transition->optional_fields.begin(), transition->optional_fields.end(), "co_units") > 0) {
    co_units = distinct_codes(named->second);
    pg::Statement fit(
        "SELECT count(*) FROM units u WHERE u.active AND u.code = ANY ($1::text[]) AND u.code <> $2"
        " AND NOT accuses((SELECT complained_unit_ids FROM petitions WHERE id = $3), u.path)",
        pg::words_literal(*co_units), action.fields.count("unit") ? action.fields.at("unit") : std::string(), id);
    auto fitting = co_await pool_.run_one(std::move(fit));
    if (fitting.integer(0, 0) != static_cast<std::int64_t>(co_units->size()))
      throw Error(Errc::invalid_field, "names a unit that does not exist, leads, or is complained about", "co_units");
  }
  if (transition && transition->reclassifies) co_await check_corrections(action.fields);

  const auto calendars = calendars_.current();  // held: the set may be replaced while this runs
  const auto& calendar = calendars->resolve(petition.calendar_chain);
  const auto responsible_chain = unit_chain_from(found[responsible]);
  workflow::UnitLookup lookup = [&chain,
                                 &responsible_chain](const std::string& code) -> std::optional<workflow::UnitInfo> {
    if (auto it = chain.units.find(code); it != chain.units.end()) return it->second;
    if (auto it = responsible_chain.units.find(code); it != responsible_chain.units.end()) return it->second;
    return std::nullopt;
  };
  workflow::Command command{action.transition, action.fields};
  const auto decision = workflow::decide(petition.workflow_state, command, roles_toward(actor, petition), now,
                                         definition, calendar, lookup);
  const auto state = workflow::apply(petition.workflow_state, decision);
  // Handed back up: the unit above is responsible again, with its place in the tree.
  if (decision.hands == workflow::Transition::Hands::up)
    chain = unit_chain_from(found[responsible], decision.responsible_unit);
  // Deadlines started by a hand-over count on the new responsible unit's working calendar.
  const auto& after_calendar = decision.responsible_unit ? calendars->resolve(chain.calendars) : calendar;

  // A review goes to the body above the unit that replied; a re-review one level further (domain.md §2a).
  std::optional<std::int64_t> reviewing_unit_id;
  if (transition && !transition->review_body.empty()) {
    const auto below = transition->review_body == "first"
                           ? (petition.responsible_unit ? petition.responsible_unit->id : petition.intake_unit.id)
                           : (petition.reviewing_unit ? petition.reviewing_unit->id : 0);
    auto query = pg::Statement("SELECT review_body($1)", below);
    auto body = co_await pool_.run_one(std::move(query));
    if (body.is_null(0, 0))
      throw Error(Errc::conflict, "no body above this unit decides a review in this system; transfer the matter out");
    reviewing_unit_id = body.integer(0, 0);
  }

  const ActionWrite plan{petition,         action,      decision,      state,     definition, calendar,
                         after_calendar,   *calendars,  chain,         parent_id, co_units,   reviewing_unit_id,
                         author_of(actor), actor.login, actor.unit_id, now};
  auto writes = action_writes(plan);
  std::vector<pg::Result> results;
  try {
    results = co_await pool_.run(std::move(writes));
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found)
      throw Error(Errc::conflict, "the petition was changed by someone else; reload it and try again");
    throw;
  }
  co_return petition_from(results.back(), 0);
}

awaitable<int> PetitionStore::fire_escalations(std::string process, int batch) {
  // The store's clock counts whole seconds; the wall clock's fraction of the current second is added so
  // that a point fires the moment it is due, not up to a second later.
  const auto wall = std::chrono::system_clock::now();
  const double fraction = std::chrono::duration<double>(wall - std::chrono::floor<std::chrono::seconds>(wall)).count();
  pg::Statement fire("SELECT fire_escalations(to_timestamp($1::float8), $2, $3)",
                     static_cast<double>(epoch(clock_())) + fraction, batch, std::move(process));
  auto result = co_await pool_.run_one(std::move(fire));
  co_return static_cast<int>(result.integer(0, 0));
}

awaitable<std::optional<Instant>> PetitionStore::next_escalation_due() {
  pg::Statement next(
      "SELECT ceil(extract(epoch FROM min(due_at)))::bigint FROM escalation_points WHERE fired_at IS NULL");
  auto result = co_await pool_.run_one(std::move(next));
  if (result.is_null(0, 0)) co_return std::nullopt;
  co_return Instant{std::chrono::seconds{result.integer(0, 0)}};
}

awaitable<std::int64_t> PetitionStore::forget_idempotency_keys(std::chrono::hours keep) {
  pg::Statement forget("DELETE FROM idempotency_keys WHERE created_at < to_timestamp($1)",
                       epoch(clock_() - std::chrono::duration_cast<std::chrono::seconds>(keep)));
  auto result = co_await pool_.run_one(std::move(forget));
  pg::Statement expired("DELETE FROM portal_uploads WHERE expires_at < to_timestamp($1)", epoch(clock_()));
  co_await pool_.run_one(std::move(expired));
  co_return result.affected();
}

// Runs writes that end with read_back(); a require_change() among them that found nothing is the
// client's mistake in `field`.
awaitable<Petition> PetitionStore::write_and_read(std::vector<pg::Statement> writes, const char* field) {
  try {
    auto results = co_await pool_.run(std::move(writes));
    co_return petition_from(results.back(), 0);
  } catch (const pg::QueryError& e) {
    if (e.errc() == Errc::not_found) throw Error(Errc::invalid_field, e.message(), field);
    throw;
  }
}

awaitable<Petition> PetitionStore::attach_call(const Actor& actor, std::int64_t id, std::string call_id) {
  auto petition = co_await find(actor, id);
  if (!petition) throw Error(Errc::not_found, "no such petition");
  const auto now = clock_();
  const Author author = author_of(actor);
  std::vector<pg::Statement> writes;
  writes.push_back(require_change(
      {"UPDATE calls SET petition_id = $2 WHERE call_id = $1 AND petition_id IS NULL RETURNING 1", call_id, id},
      "no unattached call has this callId"));
  writes.emplace_back("UPDATE petitions SET chase_count = chase_count + 1, updated_at = to_timestamp($2) WHERE id = $1",
                      id, epoch(now));
  writes.push_back(event_insert(id, author, now, "call_attached", std::nullopt, std::nullopt,
                                json::serialize(json::object{{"call_id", call_id}})));
  writes.push_back(read_back(now, id));
  co_return co_await write_and_read(std::move(writes), "call_id");
}

awaitable<Petition> PetitionStore::grant_proxy(const Actor& actor, std::int64_t id, std::int64_t proxy_user_id,
                                               std::string consent_method, std::int64_t consent_at) {
  auto petition = co_await find(actor, id);
  if (!petition) throw Error(Errc::not_found, "no such petition");
  const auto now = clock_();
  const Author author = author_of(actor);
  std::vector<pg::Statement> writes;
  writes.push_back(require_change(
      {"UPDATE petitions SET proxy_user_id = $2, consent_method = $3, consent_at = to_timestamp($4), version = version "
       "+ 1,"
       " updated_at = to_timestamp($5) WHERE id = $1"
       "   AND EXISTS (SELECT 1 FROM users WHERE id = $2 AND active AND 'proxy' = ANY (roles)) RETURNING 1",
       id, proxy_user_id, consent_method, consent_at, epoch(now)},
      "no active proxy has this id"));
  writes.push_back(
      event_insert(id, author, now, "proxy_granted", std::nullopt, std::nullopt,
                   json::serialize(json::object{{"proxy_user", proxy_user_id}, {"consent_method", consent_method}})));
  writes.push_back(read_back(now, id));
  co_return co_await write_and_read(std::move(writes), "user");
}

awaitable<std::pair<Attachment, bool>> PetitionStore::add_attachment(const Actor& actor, std::int64_t id,
                                                                     Attachment attachment) {
  if (!co_await find(actor, id)) throw Error(Errc::not_found, "no such petition");
  const auto author = author_of(actor);
  auto recorded = co_await record_attachment(id, author, std::move(attachment));
  co_return recorded;
}

awaitable<void> PetitionStore::issue_upload_token(std::int64_t id, std::string token, std::chrono::seconds valid) {
  pg::Statement insert(
      "INSERT INTO portal_uploads (token_hash, petition_id, expires_at) VALUES ($1::bytea, $2, to_timestamp($3))",
      auth::token_digest(token), id, epoch(clock_() + valid));
  co_await pool_.run_one(std::move(insert));
}

awaitable<std::optional<std::int64_t>> PetitionStore::upload_token_petition(std::string token) {
  pg::Statement query(
      "SELECT petition_id FROM portal_uploads WHERE token_hash = $1::bytea AND expires_at > to_timestamp($2)"
      " AND files < $3::int",
      auth::token_digest(token), epoch(clock_()), max_portal_files);
  auto found = co_await pool_.run_one(std::move(query));
  if (found.rows() == 0) co_return std::nullopt;
  co_return found.integer(0, 0);
}

awaitable<std::pair<Attachment, bool>> PetitionStore::add_portal_attachment(std::string token, Attachment attachment) {
  // A retried upload of a file already attached takes no slot; a new file takes its slot before it is recorded,
  // so parallel uploads cannot exceed the limit.
  if (auto id = co_await upload_token_petition(token)) {
    pg::Statement query("SELECT id FROM attachments WHERE petition_id = $1 AND sha256 = $2", *id, attachment.sha256);
    auto found = co_await pool_.run_one(std::move(query));
    if (found.rows() > 0) {
      auto same = co_await stored_attachment(*id, found.integer(0, 0));
      if (same) co_return std::make_pair(*same, false);
    }
  }
  pg::Statement claim(
      "UPDATE portal_uploads SET files = files + 1 WHERE token_hash = $1::bytea AND expires_at > to_timestamp($2)"
      " AND files < $3::int RETURNING petition_id",
      auth::token_digest(token), epoch(clock_()), max_portal_files);
  auto claimed = co_await pool_.run_one(std::move(claim));
  if (claimed.rows() == 0) throw Error(Errc::not_found, "this upload link has expired or its files are used up");
  const auto petition_id = claimed.integer(0, 0);
  Author portal;
  portal.name = portal_name;
  auto recorded = co_await record_attachment(petition_id, portal, std::move(attachment));
  co_return recorded;
}

awaitable<std::pair<Attachment, bool>> PetitionStore::record_attachment(std::int64_t id, Author author,
                                                                        Attachment attachment) {
  auto existing = [&]() -> awaitable<std::optional<Attachment>> {
    pg::Statement query("SELECT id FROM attachments WHERE petition_id = $1 AND sha256 = $2", id, attachment.sha256);
    auto found = co_await pool_.run_one(std::move(query));
    if (found.rows() == 0) co_return std::nullopt;
    co_return co_await stored_attachment(id, found.integer(0, 0));
  };
  if (auto same = co_await existing()) co_return std::make_pair(*same, false);
  const auto now = clock_();
  std::vector<pg::Statement> writes;
  writes.emplace_back(
      "INSERT INTO attachments (petition_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7)) RETURNING id, iso_local(uploaded_at)",
      id, attachment.file_name, attachment.content_type, attachment.size, attachment.sha256, author.id, epoch(now));
  writes.push_back(event_insert(
      id, author, now, "attachment_added", std::nullopt, std::nullopt,
      json::serialize(json::object{
          {"file_name", attachment.file_name}, {"content_type", attachment.content_type}, {"size", attachment.size}})));
  std::vector<pg::Result> results;
  bool raced = false;
  try {
    results = co_await pool_.run(std::move(writes));
  } catch (const pg::QueryError& e) {
    if (!e.is(pg::sqlstate::unique_violation)) throw;
    raced = true;  // the same upload, committed by a concurrent request
  }
  if (raced) {
    auto same = co_await existing();
    if (!same) throw Error(Errc::conflict, "the attachment changed while it was stored; try again");
    co_return std::make_pair(*same, false);
  }
  attachment.id = results[0].integer(0, 0);
  attachment.uploaded_at = results[0].text(0, 1);
  attachment.uploaded_by = author.id ? std::optional(author.name) : std::nullopt;
  co_return std::make_pair(attachment, true);
}

}  // namespace petitiond::store
