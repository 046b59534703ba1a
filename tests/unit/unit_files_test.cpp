#include <catch2/catch.hpp>

#include "server/api/unit_files.hpp"
#include "core/error.hpp"

using namespace petitiond;
using Catch::Matchers::Contains;

TEST_CASE("CSV fields may be quoted, hold commas, quotes and line breaks, and end in CRLF") {
  auto rows = api::parse_csv(
      "\xEF\xBB\xBF"
      "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\r\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"a", "b,c", "say \"hi\""});
  CHECK(rows[1] == std::vector<std::string>{"two\nlines", "", "x"});
  CHECK_THROWS_WITH(api::parse_csv("\"open"), Contains("quoted"));
}

TEST_CASE("units read from CSV, with errors naming the line") {
  auto units = api::parse_units_csv(
      "code,name,kind,parent,phone,active\nQS,青山区,,,028-1,true\nQS-MZ,\"民政局, 区\",department,QS,,\n");
  REQUIRE(units.size() == 2);
  CHECK(units[0].kind == "area");
  CHECK_FALSE(units[0].parent_code.has_value());
  CHECK(units[0].phone == "028-1");
  CHECK(units[1].name == "民政局, 区");
  CHECK(units[1].parent_code == "QS");
  CHECK(units[1].active);
  CHECK_THROWS_WITH(api::parse_units_csv("code,name,colour\n"), Contains("colour"));
  CHECK_THROWS_WITH(api::parse_units_csv("code,name\nQS\n"), Contains("line 2"));
  CHECK_THROWS_WITH(api::parse_units_csv("code,name,kind\nQS,青山区,planet\n"), Contains("line 2") && Contains("kind"));
  CHECK_THROWS_WITH(api::parse_units_csv("code,name,active\nQS,青山区,yes\n"), Contains("active"));
}

TEST_CASE("units read from YAML, with errors naming the entry's line") {
  auto units = api::parse_units_yaml(
      "units:\n  - code: QS\n    name: 青山区\n  - code: QS-T01\n    name: 青龙镇\n    parent: QS\n    active: "
      "false\n");
  REQUIRE(units.size() == 2);
  CHECK(units[1].parent_code == "QS");
  CHECK_FALSE(units[1].active);
  CHECK_THROWS_WITH(api::parse_units_yaml("units: [\n"), Contains("YAML"));
  CHECK_THROWS_WITH(api::parse_units_yaml("things: []\n"), Contains("units"));
  CHECK_THROWS_WITH(api::parse_units_yaml("units:\n  - code: QS\n    name: A\n  - code: QS2\n    nmae: B\n"),
                    Contains("line 4") && Contains("nmae"));
}

TEST_CASE("exported units read back the same, in YAML and CSV") {
  std::vector<store::Unit> units{
      {1, "QS", "青山区", "area", std::nullopt, "1", 1, std::string("028-1234"), std::nullopt, true},
      {2, "QS-MZ", "民政局, \"区\"", "department", std::string("QS"), "1.2", 2, std::nullopt, std::string("qs"), false},
  };
  for (const auto& parsed :
       {api::parse_units_yaml(api::units_to_yaml(units)), api::parse_units_csv(api::units_to_csv(units))}) {
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0].code == "QS");
    CHECK(parsed[0].phone == "028-1234");
    CHECK(parsed[1].name == "民政局, \"区\"");
    CHECK(parsed[1].kind == "department");
    CHECK(parsed[1].parent_code == "QS");
    CHECK(parsed[1].calendar == "qs");
    CHECK_FALSE(parsed[1].active);
  }
  CHECK_THAT(api::units_to_yaml(units), Contains("青山区"));  // UTF-8, not escapes
}

TEST_CASE("imports are ordered parents first, and refuse cycles and unknown parents") {
  auto unit = [](std::string code, std::optional<std::string> parent) {
    store::UnitInput u;
    u.code = std::move(code);
    u.name = u.code;
    u.parent_code = std::move(parent);
    return u;
  };
  auto ordered = store::parents_first({unit("V", "T"), unit("T", "D"), unit("D", std::nullopt)}, {});
  REQUIRE(ordered.size() == 3);
  CHECK(ordered[0].code == "D");
  CHECK(ordered[1].code == "T");
  CHECK(ordered[2].code == "V");
  CHECK_NOTHROW(store::parents_first({unit("V", "T")}, {"T"}));  // parent already in the database
  CHECK_THROWS_WITH(store::parents_first({unit("V", "X")}, {}), Contains("unknown parent X"));
  CHECK_THROWS_WITH(store::parents_first({unit("A", "B"), unit("B", "A")}, {}), Contains("own ancestor"));
  CHECK_THROWS_WITH(store::parents_first({unit("A", std::nullopt), unit("A", std::nullopt)}, {}), Contains("twice"));
}
