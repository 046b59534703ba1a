#include <catch2/catch.hpp>

#include "workflow/identity.hpp"

using namespace petitiond;

TEST_CASE("resident ID numbers are checked per GB 11643") {
  // The standard's own example and a few computed by hand.
  CHECK(id_check_character("11010519491231002") == 'X');
  CHECK(id_number_problem("11010519491231002X").empty());
  CHECK(id_number_problem("11010519491231002x").empty());
  CHECK(id_number_problem("110105194912310021") == "has a wrong check digit");
  CHECK(id_number_problem("510104200002290015").empty() == (id_check_character("51010420000229001") == '5'));
  CHECK(id_number_problem("51010419990229001X") == "has no valid birth date");  // 1999 was not a leap year
  CHECK(id_number_problem("110105194913310021") == "has no valid birth date");
  CHECK(id_number_problem("1101051949123100") == "must be 18 characters");
  CHECK(id_number_problem("11010519491231A02X") == "must be 17 digits followed by a digit or X");
}

TEST_CASE("disability certificate numbers carry a valid ID, a type and a grade") {
  std::string id = "11010519491231002X";
  CHECK(certificate_problem(id + "42").empty());
  auto disability = certificate_disability(id + "42");
  REQUIRE(disability);
  CHECK(disability->type == 4);  // physical
  CHECK(disability->grade == 2);
  CHECK(certificate_problem(id + "82") == "disability type (19th character) must be 1 to 7");
  CHECK(certificate_problem(id + "45") == "disability grade (20th character) must be 1 to 4");
  CHECK(certificate_problem("110105194912310021"
                            "42") == "ID part has a wrong check digit");
  CHECK(certificate_problem(id) == "must be the 18-character ID number followed by two digits");
  CHECK_FALSE(certificate_disability(id + "92"));
}

TEST_CASE("phone numbers normalise so that the same caller matches however the number is written") {
  CHECK(normalise_phone("13812341234") == "13812341234");
  CHECK(normalise_phone("+86 138-1234-1234") == "13812341234");
  CHECK(normalise_phone("0086 13812341234") == "13812341234");
  CHECK(normalise_phone("8613812341234") == "13812341234");
  CHECK(normalise_phone("138 1234 1234") == "13812341234");
  CHECK(normalise_phone("028-6200 0000") == "02862000000");
  CHECK(normalise_phone("+86 28 6200 0000") == "02862000000");
  CHECK(normalise_phone("(028) 62000000 ext 123") == "02862000000");
  CHECK(normalise_phone("028-62000000#8") == "02862000000");
  CHECK(normalise_phone("028/62000000") == "02862000000");  // Zammad issue #5128: "/" separates, like a dash
  CHECK(normalise_phone("12385") == "12385");
  CHECK(normalise_phone("anonymous").empty());
  CHECK(normalise_phone("110").empty());
}

TEST_CASE("e-mail addresses are one address each, or the problem is named") {
  CHECK(email_problem("wang.li@example.cn").empty());
  CHECK(email_problem("a+tag@mail.qs.gov.cn").empty());
  for (const char* bad : {"", "wang", "@example.cn", "wang@", "wang@example", "wang@.cn", "wang@example.", "a@b@c.cn",
                          "wang li@example.cn", "a@b.cn,c@d.cn", "<a@b.cn>", "a@b.cn\r\nBcc: x@y.cn"}) {
    CAPTURE(bad);
    CHECK_FALSE(email_problem(bad).empty());
  }
}

TEST_CASE("numbers are written in E.164 for the SMS gateway, and only numbers that can take a text") {
  const std::vector<std::pair<std::string, std::optional<std::string>>> numbers{
      {"13812341234", "+8613812341234"},
      {"138 1234 1234", "+8613812341234"},
      {"138-1234-1234", "+8613812341234"},
      {"+86 138-1234-1234", "+8613812341234"},
      {"+86 (138) 1234 1234", "+8613812341234"},
      {"0086 13812341234", "+8613812341234"},
      {"8613812341234", "+8613812341234"},
      {"19912341234", "+8619912341234"},
      {"+852 9123 4567", "+85291234567"},
      {"00852 9123 4567", "+85291234567"},
      {"+1 (202) 555-0143", "+12025550143"},
      {"13812341234 ext 12", "+8613812341234"},
      // Landlines, service numbers and the malformed take no texts.
      {"028-62000000", std::nullopt},
      {"+86 28 6200 0000", std::nullopt},
      {"12385", std::nullopt},
      {"1381234123", std::nullopt},
      {"138123412345", std::nullopt},
      {"11812341234", std::nullopt},
      {"+0 123456789", std::nullopt},
      {"+1234567", std::nullopt},
      {"1381234123a", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& [phone, expected] : numbers) {
    CAPTURE(phone);
    CHECK(sms_number(phone) == expected);
  }
}
