#include <catch2/catch.hpp>

#include "workflow/satisfaction_reply.hpp"

using petitiond::workflow::satisfaction_in_reply;

TEST_CASE("a satisfaction reply is read as the national five-level scale, or left to a person") {
  const std::vector<std::pair<std::string, std::optional<std::string>>> replies{
      {"5", "very_satisfied"},
      {"4", "satisfied"},
      {"3", "basically_satisfied"},
      {"2", "dissatisfied"},
      {"1", "very_dissatisfied"},
      {" 4 ", "satisfied"},
      {"４", "satisfied"},  // full-width, as Chinese input methods type it
      {"5分", "very_satisfied"},
      {"【5】", "very_satisfied"},
      {"3。", "basically_satisfied"},
      {"满意", "satisfied"},
      {"满意！", "satisfied"},
      {"\u3000非常满意\u3000", "very_satisfied"},
      {"很满意", "very_satisfied"},
      {"基本满意", "basically_satisfied"},
      {"不满意", "dissatisfied"},
      {"非常不满意", "very_dissatisfied"},
      {"Very Satisfied", "very_satisfied"},
      {"ＳＡＴＩＳＦＩＥＤ", "satisfied"},
      {"not satisfied", "dissatisfied"},
      // Everything else waits for an operator.
      {"", std::nullopt},
      {"0", std::nullopt},
      {"6", std::nullopt},
      {"45", std::nullopt},
      {"5 5", std::nullopt},
      {"3，补贴还没到账", std::nullopt},
      {"不满意，坡道还是坏的", std::nullopt},
      {"谁给我发的短信？", std::nullopt},
      {"TD", std::nullopt},
      {"满意满意", std::nullopt},
      {"\xff\xfe", std::nullopt},
      {"5\xe6", std::nullopt},  // a truncated character after the digit
  };
  for (const auto& [text, expected] : replies) {
    CAPTURE(text);
    CHECK(satisfaction_in_reply(text) == expected);
  }
}
