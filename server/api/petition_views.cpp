#include "server/api/petition_views.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>

#include "workflow/identity.hpp"
#include "workflow/masking.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {

json::value text_or_null(const std::optional<std::string>& value) {
  if (!value) return nullptr;
  return json::string(*value);
}

json::value masked(const std::optional<std::string>& value, std::string (*mask)(std::string_view)) {
  if (!value) return nullptr;
  return json::string(mask(*value));
}

// How the petitioner wants to hear of their matter; "phone" is "call, don't text" (blind petitioners).
json::value contact_view(const std::string& preferred_channel, bool consent,
                         const std::optional<std::string>& language) {
  return json::object{{"preferred_channel", preferred_channel},
                      {"consent", consent},
                      {"call_dont_text", preferred_channel == "phone"},
                      {"language", text_or_null(language)}};
}

// Phones are masked in their normalised form, whatever punctuation they were typed with.
std::string mask_any_phone(std::string_view phone) {
  auto key = normalise_phone(phone);
  return mask_phone(key.empty() ? phone : std::string_view(key));
}

json::value unit_ref(const std::optional<store::UnitRef>& unit) {
  if (!unit) return nullptr;
  return json::object{{"code", unit->code}, {"name", unit->name}, {"level", unit->depth}};
}

json::value time_or_null(const std::optional<workflow::Instant>& instant) {
  if (!instant) return nullptr;
  return json::string(workflow::format_local(*instant));
}

// {"overdue", "working_days", "working_minutes"}: see workflow::time_left.
json::value time_left_view(const std::optional<workflow::Instant>& due, const workflow::Calendar& calendar,
                           workflow::Instant now) {
  if (!due) return nullptr;
  auto left = workflow::time_left(calendar, now, *due);
  return json::object{
      {"overdue", left.overdue}, {"working_days", left.working_days}, {"working_minutes", left.working_minutes}};
}

}  // namespace

bool sees_anonymous_identity(const std::set<std::string>& roles) {
  return roles.count("operator") > 0 || roles.count("proxy") > 0;
}

json::value label_view(const workflow::Label& label) { return json::object{{"zh", label.zh}, {"en", label.en}}; }

json::value petition_view(const store::Petition& p, const std::set<std::string>& roles,
                          const workflow::Definition& definition, const workflow::Calendar& calendar,
                          workflow::Instant now) {
  const bool hidden = p.anonymous && !sees_anonymous_identity(roles);
  // A proxy whose filing matched a person on record sees that person as the proxy described them, never the
  // record's own details (a known ID number is no key to someone's record).
  const bool staff =
      roles.count("operator") || roles.count("handler") || roles.count("manager") || roles.count("admin");
  const auto& person = p.petitioner_given && !staff ? *p.petitioner_given : p.petitioner;
  json::object petitioner{
      {"name", hidden ? json::value(nullptr) : text_or_null(person.name)},
      {"gender", hidden ? json::value(nullptr) : text_or_null(person.gender)},
      {"id_number", hidden ? json::value(nullptr) : masked(person.id_number, &mask_id_number)},
      {"phone", hidden ? json::value(nullptr) : masked(person.phone, &mask_any_phone)},
      {"certificate_number", hidden ? json::value(nullptr) : masked(person.certificate_number, &mask_certificate)},
      {"has_disability_record", person.disability_type.has_value()},
      {"address", hidden ? json::value(nullptr) : text_or_null(person.address)},
      {"unit", unit_ref(person.unit)},
      {"self_reported", person.self_reported},
      {"email", hidden ? json::value(nullptr) : masked(person.email, &mask_email)},
      {"contact", contact_view(person.preferred_channel, person.contact_consent, person.language)}};

  json::value proxy = nullptr;
  if (p.proxy_user_id || p.proxy_name) {
    // Who came with an anonymous petitioner would name them: only the relation is shown to handling units.
    json::object out{
        {"name", hidden ? json::value(nullptr) : text_or_null(p.proxy_name)},
        {"relation", text_or_null(p.proxy_relation)},
        {"phone", hidden ? json::value(nullptr) : masked(p.proxy_phone, &mask_any_phone)},
        {"consent", json::object{{"method", text_or_null(p.consent_method)}, {"at", text_or_null(p.consent_at)}}}};
    out["user"] = p.proxy_user_id && !hidden
                      ? json::value(json::object{{"id", *p.proxy_user_id}, {"name", text_or_null(p.proxy_user_name)}})
                      : json::value(nullptr);
    proxy = std::move(out);
  }

  json::array representatives;
  const auto stored = json::parse(p.representatives_json);
  for (const auto& rep : stored.as_array()) {
    const auto& r = rep.as_object();
    json::object out{{"name", hidden ? json::value(nullptr) : r.at("name")}};
    out["phone"] =
        r.contains("phone") && !hidden ? json::value(mask_any_phone(r.at("phone").as_string())) : json::value(nullptr);
    out["id_number"] = r.contains("id_number") && !hidden ? json::value(mask_id_number(r.at("id_number").as_string()))
                                                          : json::value(nullptr);
    representatives.push_back(std::move(out));
  }

  json::array clocks;
  for (const auto& clock : p.workflow_state.clocks) {
    if (!clock.running()) continue;
    const auto* spec = definition.clock(clock.name);
    json::object out{{"name", clock.name},
                     {"label", spec ? label_view(spec->label) : json::value(nullptr)},
                     {"started_at", workflow::format_local(clock.started)},
                     {"deadline", time_or_null(workflow::deadline_of(clock, calendar))},
                     {"provisional",
                      [&] {
                        auto deadline = workflow::deadline_of(clock, calendar);
                        return deadline && calendar.provisional(*deadline);
                      }()},
                     {"paused", clock.paused()},
                     {"extension", clock.extension},
                     {"window", spec && spec->window}};
    clocks.push_back(std::move(out));
  }

  // Each co-handling unit's part: the lead unit reads the contributions before it replies.
  json::array co_handling;
  for (const auto& part : p.co_parts)
    co_handling.push_back(json::object{{"unit", unit_ref(part.unit)},
                                       {"due_at", text_or_null(part.due_at)},
                                       {"signed_at", text_or_null(part.signed_at)},
                                       {"contributed_at", text_or_null(part.contributed_at)},
                                       {"contribution", text_or_null(part.contribution)},
                                       {"contributed_by", text_or_null(part.contributed_by)}});
  json::array handed_down_from;
  for (const auto& unit : p.handed_down_from) handed_down_from.push_back(unit_ref(unit));

  json::array actions;
  for (const auto* transition : workflow::available_transitions(p.workflow_state, roles, definition)) {
    json::array requires_fields;
    for (const auto& field : workflow::required_fields(*transition, p.workflow_state, definition))
      requires_fields.emplace_back(field);
    actions.push_back(json::object{{"name", transition->name},
                                   {"label", label_view(transition->label)},
                                   {"requires", std::move(requires_fields)},
                                   {"accepts", json::value_from(transition->optional_fields)}});
  }

  const auto* state = definition.state(p.state);
  json::object out{
      {"id", p.id},
      {"tracking_code", p.tracking_code},
      {"channel", p.channel},
      {"type", p.type},
      {"category", p.category},
      {"urgency", p.urgency},
      {"subject", p.subject},
      {"content", p.content},
      {"state", p.state},
      {"state_label", state ? label_view(state->label) : json::value(nullptr)},
      {"version", p.version},
      {"workflow", json::object{{"name", p.workflow}, {"version", p.workflow_version}}},
      {"anonymous", p.anonymous},
      {"petitioner", std::move(petitioner)},
      {"filed_by", p.filed_by ? json::value(json::object{{"id", *p.filed_by}, {"name", text_or_null(p.filed_by_name)}})
                              : json::value(nullptr)},
      {"intake_unit", unit_ref(p.intake_unit)},
      {"responsible_unit", unit_ref(p.responsible_unit)},
      {"handed_down_from", std::move(handed_down_from)},
      {"reviewing_unit", unit_ref(p.reviewing_unit)},
      {"co_units", json::value_from(p.co_units)},
      {"co_handling", std::move(co_handling)},
      {"complaint", p.complaint_object || !p.complained_units.empty()
                        ? json::value(json::object{{"object", text_or_null(p.complaint_object)},
                                                   {"units", json::value_from(p.complained_units)}})
                        : json::value(nullptr)},
      {"proxy", std::move(proxy)},
      {"group", json::object{{"size", p.group_size}, {"representatives", std::move(representatives)}}},
      {"parent_id", p.parent_id ? json::value(*p.parent_id) : json::value(nullptr)},
      {"repeat_of", p.repeat_of ? json::value(*p.repeat_of) : json::value(nullptr)},
      {"repeat_count", p.repeat_count},
      {"chase_count", p.chase_count},
      {"deadline", json::object{{"due_at", text_or_null(p.due_at)},
                                {"provisional", p.due && calendar.provisional(*p.due)},
                                {"warn_at", text_or_null(p.warn_at)},
                                {"status", text_or_null(p.deadline_status)},
                                {"time_left", time_left_view(p.due, calendar, now)}}},
      {"clocks", std::move(clocks)},
      {"escalation", json::object{{"reminders", p.reminders},
                                  {"supervisions", p.supervisions},
                                  {"supervised_by", text_or_null(p.supervised_by)},
                                  {"criticised_at", text_or_null(p.criticised_at)}}},
      {"reply_outcome", text_or_null(p.reply_outcome)},
      {"satisfaction", text_or_null(p.satisfaction)},
      {"received_at", p.received_at},
      {"accepted_at", text_or_null(p.accepted_at)},
      {"dispatched_at", text_or_null(p.dispatched_at)},
      {"replied_at", text_or_null(p.replied_at)},
      {"closed_at", text_or_null(p.closed_at)},
      {"updated_at", p.updated_at},
      {"actions", std::move(actions)}};
  return out;
}

json::value summary_view(const store::PetitionSummary& s, const workflow::CalendarSet& calendars,
                         workflow::Instant now) {
  return json::object{
      {"id", s.id},
      {"tracking_code", s.tracking_code},
      {"channel", s.channel},
      {"type", s.type},
      {"category", s.category},
      {"urgency", s.urgency},
      {"subject", s.subject},
      {"state", s.state},
      {"received_at", s.received_at},
      {"responsible_unit",
       s.responsible_unit
           ? json::value(json::object{{"code", *s.responsible_unit}, {"name", text_or_null(s.responsible_unit_name)}})
           : json::value(nullptr)},
      {"due_at", text_or_null(s.due_at)},
      {"deadline_status", text_or_null(s.deadline_status)},
      {"time_left", s.due ? time_left_view(s.due, calendars.resolve(s.calendar_chain), now) : json::value(nullptr)},
      {"repeat_of", s.repeat_of ? json::value(*s.repeat_of) : json::value(nullptr)},
      {"anonymous", s.anonymous},
      {"petitioner_name", s.anonymous ? json::value(nullptr) : text_or_null(s.petitioner_name)},
      {"contact", contact_view(s.preferred_channel, s.contact_consent, std::nullopt)}};
}

json::value event_view(const store::TimelineEvent& e) {
  return json::object{{"id", e.id},
                      {"at", e.at},
                      {"actor", json::object{{"id", e.actor_id ? json::value(*e.actor_id) : json::value(nullptr)},
                                             {"name", e.actor_name}}},
                      {"action", e.action},
                      {"from_state", text_or_null(e.from_state)},
                      {"to_state", text_or_null(e.to_state)},
                      {"fields", json::parse(e.fields_json)}};
}

json::value caller_history_view(const store::CallerHistory& history, const workflow::CalendarSet& calendars,
                                workflow::Instant now) {
  json::array petitioners, petitions, calls;
  for (const auto& person : history.petitioners)
    petitioners.push_back(json::object{{"id", person.id},
                                       {"name", masked(person.name, &mask_name)},
                                       {"phone", masked(person.phone, &mask_any_phone)},
                                       {"id_number", masked(person.id_number, &mask_id_number)},
                                       {"unit", unit_ref(person.unit)}});
  for (const auto& item : history.petitions) petitions.push_back(summary_view(item, calendars, now));
  for (const auto& call : history.calls)
    calls.push_back(
        json::object{{"call_id", call.call_id},
                     {"direction", call.direction},
                     {"started_at", call.started_at},
                     {"answered_at", text_or_null(call.answered_at)},
                     {"ended_at", text_or_null(call.ended_at)},
                     {"cause", text_or_null(call.cause)},
                     {"petition_id", call.petition_id ? json::value(*call.petition_id) : json::value(nullptr)}});
  return json::object{{"phone", mask_phone(history.phone_key)},
                      {"petitioners", std::move(petitioners)},
                      {"petitions", std::move(petitions)},
                      {"calls", std::move(calls)}};
}

}  // namespace petitiond::api
