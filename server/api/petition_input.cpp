#include "server/api/petition_input.hpp"

#include <chrono>
#include <cstdio>

#include "server/http/json_input.hpp"
#include "core/error.hpp"
#include "workflow/identity.hpp"

namespace petitiond::api {
namespace json = boost::json;

namespace {

// Fields of a nested object, errors prefixed with its name ("petitioner.phone").
class Nested {
 public:
  Nested(const json::object& object, std::string prefix) : fields_(object), prefix_(std::move(prefix)) {}

  template <typename F>
  auto named(F&& read) {
    try {
      return read(fields_);
    } catch (const Error& e) {
      if (e.errc() != Errc::invalid_field) throw;
      throw Error(Errc::invalid_field, e.message(), prefix_ + "." + e.field());
    }
  }
  void reject_unknown() {
    named([](http::Fields& f) {
      f.reject_unknown();
      return 0;
    });
  }
  std::string prefix() const { return prefix_; }

 private:
  http::Fields fields_;
  std::string prefix_;
};

const json::object* object_field(const json::object& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return nullptr;
  if (!it->value().is_object()) throw Error(Errc::invalid_field, "must be an object", name);
  return &it->value().as_object();
}

void check(const std::string& problem, const std::string& field) {
  if (!problem.empty()) throw Error(Errc::invalid_field, problem, field);
}

store::PetitionerInput petitioner_input(const json::object& object, IntakeKind kind) {
  Nested in(object, "petitioner");
  store::PetitionerInput p;
  p.name = in.named([](auto& f) { return f.optional_text("name", 50); });
  p.gender = in.named([](auto& f) { return f.optional_text("gender", 10); });
  if (p.gender && *p.gender != "male" && *p.gender != "female")
    throw Error(Errc::invalid_field, "must be male or female", "petitioner.gender");
  p.id_number = in.named([](auto& f) { return f.optional_text("id_number", 18); });
  if (p.id_number) {
    for (auto& c : *p.id_number) c = c == 'x' ? 'X' : c;
    check(id_number_problem(*p.id_number), "petitioner.id_number");
  }
  p.phone = in.named([](auto& f) { return f.optional_text("phone", 40); });
  if (p.phone) check(phone_problem(*p.phone), "petitioner.phone");
  p.email = in.named([](auto& f) { return f.optional_text("email", 200); });
  if (p.email) check(email_problem(*p.email), "petitioner.email");
  p.language = in.named([](auto& f) { return f.optional_text("language", 2); });
  if (p.language && *p.language != "zh" && *p.language != "en")
    throw Error(Errc::invalid_field, "must be zh or en", "petitioner.language");
  p.contact_consent = in.named([](auto& f) { return f.optional_bool("contact_consent"); });
  p.preferred_channel = in.named([](auto& f) { return f.optional_text("preferred_channel", 10); });
  if (p.preferred_channel && *p.preferred_channel != "sms" && *p.preferred_channel != "email" &&
      *p.preferred_channel != "phone" && *p.preferred_channel != "none")
    throw Error(Errc::invalid_field, "must be sms, email, phone (call, don't text) or none",
                "petitioner.preferred_channel");
  if (p.preferred_channel == "email" && !p.email)
    throw Error(Errc::invalid_field, "is email but no petitioner.email is given", "petitioner.preferred_channel");
  p.certificate_number = in.named([](auto& f) { return f.optional_text("certificate_number", 20); });
  if (p.certificate_number) {
    for (auto& c : *p.certificate_number) c = c == 'x' ? 'X' : c;
    check(certificate_problem(*p.certificate_number), "petitioner.certificate_number");
    if (p.id_number && p.certificate_number->substr(0, 18) != *p.id_number)
      throw Error(Errc::invalid_field, "does not begin with the petitioner's ID number",
                  "petitioner.certificate_number");
    auto disability = certificate_disability(*p.certificate_number);
    p.disability_type = disability->type;
    p.disability_grade = disability->grade;
  }
  auto type = in.named([](auto& f) { return f.optional_integer("disability_type", 1, 7); });
  auto grade = in.named([](auto& f) { return f.optional_integer("disability_grade", 1, 4); });
  if (type && p.disability_type && *type != *p.disability_type)
    throw Error(Errc::invalid_field, "does not match the certificate number", "petitioner.disability_type");
  if (grade && p.disability_grade && *grade != *p.disability_grade)
    throw Error(Errc::invalid_field, "does not match the certificate number", "petitioner.disability_grade");
  if (type) p.disability_type = static_cast<int>(*type);
  if (grade) p.disability_grade = static_cast<int>(*grade);
  p.address = in.named([](auto& f) { return f.optional_text("address", 200); });
  p.unit_code = in.named([](auto& f) { return f.optional_text("unit", 32); });
  in.reject_unknown();
  if (kind == IntakeKind::portal) {
    if (!p.name) throw Error(Errc::invalid_field, "is required", "petitioner.name");
    if (!p.phone) throw Error(Errc::invalid_field, "is required to look up the petition's status", "petitioner.phone");
  }
  return p;
}

}  // namespace

// A complaint names the units it is about; a petition about more is split by the desk.
constexpr std::size_t max_complained_units = 10;
constexpr int max_backdate_days = 30;  // a letter or visit registered later: how far back its received time may go

std::optional<std::string> idempotency_key(const http::RequestContext& context) {
  auto header = context.request["Idempotency-Key"];
  if (header.empty()) return std::nullopt;
  if (header.size() > 100) throw Error(Errc::invalid_field, "must be at most 100 characters", "Idempotency-Key");
  for (char c : header)
    if (c < 0x21 || c > 0x7E) throw Error(Errc::invalid_field, "must be printable ASCII", "Idempotency-Key");
  return std::string(header);
}

namespace {

// The number written by `count` digits at `at`, or -1 when any of them is not a digit.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

// RFC 3339: "2026-11-28T09:30:00+08:00" (a fraction of a second allowed, "Z" for UTC), or a bare date,
// which is local. Anything else, a time without a zone included, is refused.
std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int h = 0, mi = 0, s = 0, offset_minutes = 8 * 60;  // a bare date is local
  if (text.size() != 10) {
    h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
    if (text.size() < 20 || (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' || h < 0 ||
        mi < 0 || s < 0)
      return std::nullopt;
    std::size_t at = 19;
    if (text[at] == '.') {
      ++at;
      const auto start = at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
      if (at == start || at - start > 9) return std::nullopt;
    }
    const auto zone = text.substr(at);
    if (zone == "Z" || zone == "z") {
      offset_minutes = 0;
    } else {
      const int oh = digits(zone, 1, 2), om = digits(zone, 4, 2);
      if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || oh < 0 || oh > 14 || om < 0 ||
          om > 59)
        return std::nullopt;
      offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
    }
  }
  std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                   std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto seconds = std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(h) + std::chrono::minutes(mi) +
                 std::chrono::seconds(s) - std::chrono::minutes(offset_minutes);
  return std::chrono::duration_cast<std::chrono::seconds>(seconds).count();
}

std::pair<std::string, std::int64_t> consent_input(const json::value* value, const std::string& name,
                                                   workflow::Instant now) {
  if (!value || value->is_null()) throw Error(Errc::invalid_field, "the petitioner's consent is required", name);
  if (!value->is_object()) throw Error(Errc::invalid_field, "must be an object with method and at", name);
  Nested in(value->as_object(), name);
  auto method = in.named([](auto& f) { return f.text("method", 20); });
  if (method != "written" && method != "verbal" && method != "recorded_call" && method != "electronic")
    throw Error(Errc::invalid_field, "must be written, verbal, recorded_call or electronic", name + ".method");
  auto at_text = in.named([](auto& f) { return f.optional_text("at", 40); });
  in.reject_unknown();
  std::int64_t at = now.time_since_epoch().count();
  if (at_text) {
    auto parsed = parse_timestamp(*at_text);
    if (!parsed)
      throw Error(Errc::invalid_field, "must be a date and time with a zone, e.g. 2026-11-28T09:30:00+08:00",
                  name + ".at");
    if (*parsed > at + 300) throw Error(Errc::invalid_field, "lies in the future", name + ".at");
    at = *parsed;
  }
  return {method, at};
}

store::NewPetition petition_input(const json::object& body, IntakeKind kind, workflow::Instant now) {
  http::Fields fields(body);
  store::NewPetition p;
  if (kind == IntakeKind::portal) {
    p.channel = "web";
  } else {
    p.channel = fields.text("channel", 10);
    if (p.channel != "hotline" && p.channel != "walk_in" && p.channel != "letter")
      throw Error(Errc::invalid_field, "must be hotline, walk_in or letter (web petitions come through the portal)",
                  "channel");
  }
  p.type = fields.text("type", 32);
  p.category = fields.text("category", 32);
  if (auto urgency = fields.optional_text("urgency", 16)) p.urgency = *urgency;
  p.subject = fields.text("subject", 200);
  p.content = fields.text("content", 20000);
  p.anonymous = fields.optional_bool("anonymous").value_or(false);

  fields.known("petitioner");
  if (auto* petitioner = object_field(body, "petitioner")) p.petitioner = petitioner_input(*petitioner, kind);
  else if (kind == IntakeKind::portal) throw Error(Errc::invalid_field, "is required", "petitioner");
  if (p.channel == "walk_in" && !p.petitioner.id_number)
    throw Error(Errc::invalid_field, "is required at the reception desk, and its check digit is verified",
                "petitioner.id_number");

  if (auto* complaint = object_field(body, "complaint")) {
    Nested in(*complaint, "complaint");
    p.complaint_object = in.named([](auto& f) { return f.optional_text("object", 200); });
    auto units_it = complaint->find("units");
    in.named([](auto& f) {
      f.known("units");
      return 0;
    });
    if (units_it != complaint->end() && !units_it->value().is_null()) {
      if (!units_it->value().is_array())
        throw Error(Errc::invalid_field, "must be a list of unit codes", "complaint.units");
      const auto& units = units_it->value().as_array();
      if (units.size() > max_complained_units)
        throw Error(Errc::invalid_field, "names at most " + std::to_string(max_complained_units) + " units",
                    "complaint.units");
      for (const auto& unit : units) {
        if (!unit.is_string() || unit_code_problem(unit.as_string()) != "")
          throw Error(Errc::invalid_field, "must be a list of unit codes", "complaint.units");
        std::string code(unit.as_string());
        if (std::find(p.complained_unit_codes.begin(), p.complained_unit_codes.end(), code) ==
            p.complained_unit_codes.end())
          p.complained_unit_codes.push_back(std::move(code));  // each unit once
      }
    }
    in.reject_unknown();
  }

  if (kind == IntakeKind::staff) {
    auto consent_it = body.find("consent");
    fields.known("consent");
    if (auto* proxy = object_field(body, "proxy")) {
      Nested in(*proxy, "proxy");
      store::ProxyInput input;
      input.name = in.named([](auto& f) { return f.text("name", 50); });
      input.relation = in.named([](auto& f) { return f.optional_text("relation", 50); });
      input.phone = in.named([](auto& f) { return f.optional_text("phone", 40); });
      if (input.phone) check(phone_problem(*input.phone), "proxy.phone");
      in.reject_unknown();
      std::tie(input.consent_method, input.consent_at) =
          consent_input(consent_it == body.end() ? nullptr : &consent_it->value(), "consent", now);
      p.proxy = input;
    } else if (consent_it != body.end() && !consent_it->value().is_null()) {
      store::ProxyInput input;
      input.filer_is_proxy = true;  // the route checks that the filer is a proxy
      std::tie(input.consent_method, input.consent_at) = consent_input(&consent_it->value(), "consent", now);
      p.proxy = input;
    }
    if (auto* group = object_field(body, "group")) {
      Nested in(*group, "group");
      p.group_size =
          static_cast<int>(in.named([](auto& f) { return f.optional_integer("size", 1, 10000); }).value_or(1));
      auto reps = group->find("representatives");
      in.named([](auto& f) {
        f.known("representatives");
        return 0;
      });
      if (reps != group->end() && !reps->value().is_null()) {
        if (!reps->value().is_array()) throw Error(Errc::invalid_field, "must be a list", "group.representatives");
        if (reps->value().as_array().size() > 5)
          throw Error(Errc::invalid_field, "a group elects at most 5 representatives", "group.representatives");
        int index = 0;
        for (const auto& rep : reps->value().as_array()) {
          const auto name = "group.representatives[" + std::to_string(index++) + "]";
          if (!rep.is_object()) throw Error(Errc::invalid_field, "must be an object", name);
          Nested r(rep.as_object(), name);
          store::Representative out;
          out.name = r.named([](auto& f) { return f.text("name", 50); });
          out.phone = r.named([](auto& f) { return f.optional_text("phone", 40); });
          if (out.phone) check(phone_problem(*out.phone), name + ".phone");
          out.id_number = r.named([](auto& f) { return f.optional_text("id_number", 18); });
          if (out.id_number) check(id_number_problem(*out.id_number), name + ".id_number");
          r.reject_unknown();
          p.representatives.push_back(std::move(out));
        }
      }
      in.reject_unknown();
      if (p.group_size < static_cast<int>(p.representatives.size()))
        throw Error(Errc::invalid_field, "is smaller than the number of representatives", "group.size");
    }
    // A letter or a visit registered after the day it arrived carries its received time: its 15 days count from
    // then (Art 31). A date alone means that day's start.
    if (auto received = fields.optional_text("received_at", 40)) {
      if (p.channel != "letter" && p.channel != "walk_in")
        throw Error(Errc::invalid_field, "is only for a letter or a visit registered after it arrived", "received_at");
      auto parsed = parse_timestamp(*received);
      if (!parsed)
        if (auto day = workflow::parse_date(*received)) parsed = workflow::start_of(*day).time_since_epoch().count();
      if (!parsed)
        throw Error(Errc::invalid_field, "must be a date (2026-11-28) or a date and time with a zone", "received_at");
      const auto at = workflow::Instant(std::chrono::seconds(*parsed));
      if (at > now + std::chrono::minutes(5)) throw Error(Errc::invalid_field, "lies in the future", "received_at");
      if (at < now - std::chrono::days(max_backdate_days))
        throw Error(Errc::invalid_field,
                    "lies more than " + std::to_string(max_backdate_days) + " days back; register it as received today",
                    "received_at");
      if (at < now) p.received = at;
    }
    p.call_id = fields.optional_text("call_id", 200);
    p.answer_on_call = fields.optional_text("answer_on_call", 5000);
    if (p.call_id && p.channel != "hotline")
      throw Error(Errc::invalid_field, "only hotline petitions come from a call", "call_id");
  }
  fields.known("complaint");
  if (kind == IntakeKind::staff) {
    fields.known("proxy");
    fields.known("group");
  }
  fields.reject_unknown();
  return p;
}

}  // namespace petitiond::api
