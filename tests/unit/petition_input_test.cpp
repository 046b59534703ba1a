#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "server/api/petition_input.hpp"
#include "core/error.hpp"
#include "workflow/identity.hpp"

using namespace petitiond;
namespace json = boost::json;

namespace {
const workflow::Instant now{std::chrono::seconds(1'795'000'000)};  // 2026-11-18

std::string field_error(const std::string& body, api::IntakeKind kind = api::IntakeKind::staff) {
  try {
    api::petition_input(json::parse(body).as_object(), kind, now);
  } catch (const Error& e) {
    return e.field();
  }
  return "";
}
}  // namespace

TEST_CASE("timestamps need a zone, bare dates are local days") {
  CHECK(api::parse_timestamp("2026-11-28T09:30:00+08:00") == 1'795'829'400);
  CHECK(api::parse_timestamp("2026-11-28T01:30:00Z") == 1'795'829'400);
  CHECK(api::parse_timestamp("2026-11-28T01:30:00.250Z") == 1'795'829'400);
  CHECK(api::parse_timestamp("2026-11-28") == 1'795'795'200);  // midnight in Beijing
  CHECK_FALSE(api::parse_timestamp("2026-11-28T09:30:00"));    // which zone?
  CHECK_FALSE(api::parse_timestamp("2026-02-30T09:30:00Z"));
  CHECK_FALSE(api::parse_timestamp("yesterday"));
}

TEST_CASE("petition bodies: what staff and the portal may send, each problem named") {
  const std::string minimal = R"({"channel":"letter","type":"help","category":"other","subject":"s","content":"c")";
  CHECK(field_error(minimal + "}").empty());
  CHECK(field_error(minimal + R"(,"petitioner":{"id_number":"110105194912310021"}})") == "petitioner.id_number");
  const std::string id = std::string("11010519491231002") + id_check_character("11010519491231002");
  auto input = api::petition_input(
      json::parse(minimal + R"(,"petitioner":{"id_number":")" + id + R"(","certificate_number":")" + id + R"(42"}})")
          .as_object(),
      api::IntakeKind::staff, now);
  CHECK(input.petitioner.disability_type == 4);  // read from the certificate number
  CHECK(input.petitioner.disability_grade == 2);
  CHECK(field_error(minimal + R"(,"consent":{"method":"telepathy"}})") == "consent.method");
  CHECK(field_error(minimal + R"(,"consent":{"method":"written","at":"2099-01-01T00:00:00Z"}})") == "consent.at");
  CHECK(field_error(minimal + R"(,"proxy":{"name":"李"}})") == "consent");  // a proxy needs consent
  CHECK(field_error(minimal + R"(,"group":{"size":1,"representatives":[{"name":"a"},{"name":"b"}]}})") == "group.size");
  CHECK(field_error(minimal + R"(,"call_id":"c1"})") == "call_id");  // only hotline petitions come from a call
  // The portal: always web, a name and phone to find it again, no staff-only fields.
  const std::string portal = R"({"type":"help","category":"other","subject":"s","content":"c")";
  CHECK(field_error(portal + R"(,"petitioner":{"name":"王","phone":"13800001111"}})", api::IntakeKind::portal).empty());
  CHECK(field_error(portal + R"(,"petitioner":{"name":"王"}})", api::IntakeKind::portal) == "petitioner.phone");
  CHECK(field_error(portal + R"(,"petitioner":{"name":"王","phone":"13800001111"},"group":{"size":3}})",
                    api::IntakeKind::portal) == "group");
}
