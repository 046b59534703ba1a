#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "workflow/routing.hpp"

using namespace petitiond;
using namespace petitiond::workflow;

namespace {

// D (district) with departments MZ, CL, YB, JW, SF, SF-FY; towns T1, T2; villages V1 (T1), V2 (T2).
const std::map<std::string, UnitInfo> tree{
    {"D", {"D", "area", 1, std::nullopt}},
    {"MZ", {"MZ", "department", 2, "D"}},
    {"CL", {"CL", "department", 2, "D"}},
    {"YB", {"YB", "department", 2, "D"}},
    {"JW", {"JW", "department", 2, "D"}},
    {"SF", {"SF", "department", 2, "D"}},
    {"SF-FY", {"SF-FY", "department", 3, "SF"}},
    {"T1", {"T1", "area", 2, "D"}},
    {"T2", {"T2", "area", 2, "D"}},
    {"V1", {"V1", "area", 3, "T1"}},
    {"V2", {"V2", "area", 3, "T2"}},
};

UnitLookup lookup() {
  return [](const std::string& code) -> std::optional<UnitInfo> {
    auto it = tree.find(code);
    if (it == tree.end()) return std::nullopt;
    return it->second;
  };
}

RoutingTable default_table() {
  std::ifstream file(std::string(PETITIOND_SOURCE_DIR) + "/schemas/routing/default.yaml");
  std::stringstream text;
  text << file.rdbuf();
  auto loaded = load_routing(text.str(), "schemas/routing/default.yaml");
  REQUIRE(loaded.problems.empty());
  auto table = loaded.table;
  table.functions = {{"federation", "CL"},    {"civil_affairs", "MZ"}, {"medical_insurance", "YB"},
                     {"discipline", "JW"},    {"justice", "SF"},       {"legal_aid_centre", "SF-FY"},
                     {"human_resources", ""}, {"education", ""},       {"health", ""},
                     {"housing", ""},         {"transport", ""},       {"political_legal", ""}};
  return table;
}

Routing route_for(std::string category, std::optional<std::string> place, std::vector<std::string> objects = {},
                  std::string urgency = "normal") {
  RoutingRequest request{std::move(category), std::move(urgency), std::move(place), std::move(objects)};
  static const auto table = default_table();
  return route(table, lookup(), request);
}

}  // namespace

TEST_CASE("the default table routes by category, and by the petitioner's place where the town handles it") {
  auto living = route_for("minimum_living", "V1");
  CHECK(living.lead == "T1");  // the town of the petitioner's village
  CHECK(living.lead_depth == 2);
  CHECK(living.co == std::vector<std::string>{"MZ"});
  CHECK(route_for("minimum_living", "V2").lead == "T2");
  CHECK(route_for("subsidies", "V2").lead == "MZ");
  CHECK(route_for("subsidies", "V2").co == std::vector<std::string>{"CL"});
  CHECK(route_for("legal_aid", std::nullopt).lead == "SF-FY");
  CHECK(route_for("care_services", "V2").co == std::vector<std::string>{"T2"});
  CHECK(route_for("emergency_care", "V1").lead == "T1");
  CHECK(route_for("emergency_care", "V1", {}, "emergency").lead == "CL");  // the urgency's own rule wins
}

TEST_CASE("a complaint is never routed to the unit it is about, nor under it: it goes up") {
  auto about_town = route_for("minimum_living", "V1", {"T1"});
  CHECK(about_town.lead == "D");
  CHECK(about_town.diverted);
  auto about_department = route_for("subsidies", "V1", {"MZ"});
  CHECK(about_department.lead == "D");
  CHECK(about_department.co == std::vector<std::string>{"CL"});
  auto about_parent = route_for("legal_aid", std::nullopt, {"SF"});  // the centre lies under the bureau
  CHECK(about_parent.lead == "D");
  CHECK_FALSE(route_for("minimum_living", "V1", {"T2"}).diverted);  // another town is no concern
  auto co_object = route_for("minimum_living", "V1", {"MZ"});
  CHECK(co_object.lead == "T1");
  CHECK(co_object.co == std::vector<std::string>{"D"});  // the complained-about co-handler gives way to its parent
}

TEST_CASE("routing that cannot be resolved says why") {
  auto field_of = [](std::function<void()> f) -> std::string {
    try {
      f();
    } catch (const Error& e) {
      CHECK(e.errc() == Errc::invalid_field);
      return e.field();
    }
    return "(routed)";
  };
  CHECK(field_of([] { route_for("astrology", "V1"); }) == "category");
  CHECK(field_of([] { route_for("minimum_living", std::nullopt); }) == "place");
  CHECK(field_of([] { route_for("education", "V1"); }) == "category");  // no unit plays 'education' here
  CHECK(field_of([] { route_for("other", "V1", {"D"}); }) == "complained_about");
}

TEST_CASE("routing tables with mistakes are refused with lines") {
  auto problems = [](const std::string& text) {
    std::string all;
    for (const auto& p : load_routing(text, "r.yaml").problems) all += p.to_string() + "\n";
    return all;
  };
  CHECK(problems("functions: {f: X}\nrules:\n  - category: a\n    lead: {function: f}\n").empty());
  CHECK_THAT(problems("rules:\n  - category: a\n    lead: {function: nobody}\n"),
             Catch::Matchers::Contains("r.yaml:2: function 'nobody'"));
  CHECK_THAT(problems("rules:\n  - category: a\n    lead: moon\n"), Catch::Matchers::Contains("unknown target 'moon'"));
  CHECK_THAT(problems("rules:\n  - category: a\n    lead: district\n  - category: a\n    lead: district\n"),
             Catch::Matchers::Contains("two general rules"));
  CHECK_THAT(problems("rules:\n  - category: a\n    urgency: emergency\n    lead: district\n"),
             Catch::Matchers::Contains("no rule for other urgencies"));
  CHECK_THAT(problems("rules:\n  - category: a\n    lead: district\n    colour: red\n"),
             Catch::Matchers::Contains("unknown key 'colour'"));
}

TEST_CASE("legal aid goes to the station serving the petitioner's town, or the centre where there is none") {
  auto units = tree;
  units["FY-T1"] = {"FY-T1", "department", 4, "SF-FY", "T1"};
  units["FY-T1-V1"] = {"FY-T1-V1", "department", 5, "FY-T1", "V1"};
  units["MZ-T2"] = {"MZ-T2", "department", 3, "MZ", "T2"};  // another function's office for town T2
  UnitLookup with_offices = [&units](const std::string& code) -> std::optional<UnitInfo> {
    auto it = units.find(code);
    return it == units.end() ? std::nullopt : std::optional<UnitInfo>(it->second);
  };
  const auto table = default_table();
  RoutingRequest t1{"legal_aid", "normal", "V1", {}, {units["FY-T1"], units["FY-T1-V1"]}};
  CHECK(route(table, with_offices, t1).lead == "FY-T1");  // the town's station; it hands down to the village
  RoutingRequest t2{"legal_aid", "normal", "V2", {}, {units["MZ-T2"]}};
  CHECK(route(table, with_offices, t2).lead == "SF-FY");  // no station of the centre serves T2
  RoutingRequest nowhere{"legal_aid", "normal", std::nullopt, {}, {}};
  CHECK(route(table, with_offices, nowhere).lead == "SF-FY");
}
