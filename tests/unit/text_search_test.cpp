#include <catch2/catch.hpp>

#include "workflow/text_search.hpp"

using namespace petitiond::workflow;
using Terms = std::vector<std::string>;

TEST_CASE("Chinese text is indexed by its character bigrams, split at punctuation") {
  CHECK(search_bigrams("盲道被占用") == Terms{"占用", "盲道", "被占", "道被"});
  CHECK(search_bigrams("低保，补贴。") == Terms{"低保", "补贴"});  // no bigram across the comma
  CHECK(search_bigrams("轮椅 出行") == Terms{"出行", "轮椅"});
  CHECK(search_bigrams("门") == Terms{"门"});                    // a one-character run is its own term
  CHECK(search_bigrams("“护理”补贴") == Terms{"护理", "补贴"});  // quotation marks separate
  CHECK(search_bigrams("").empty());
  CHECK(search_bigrams("，。！").empty());
}

TEST_CASE("Latin letters and digits are lower-cased, full-width forms read as ASCII") {
  CHECK(search_bigrams("ABC") == Terms{"ab", "bc"});
  CHECK(search_bigrams("ＡＢ１") == Terms{"ab", "b1"});
  CHECK(search_bigrams("12385热线") == Terms{"12", "23", "38", "5热", "85", "热线"});
}

TEST_CASE("a query matches when its bigrams are a subset of the text's, and its words occur in it") {
  const auto text = search_bigrams("小区门口的盲道被车辆长期占用");
  for (const char* query : {"盲道", "盲道被", "车辆", "长期占用"}) {
    CAPTURE(query);
    for (const auto& term : search_bigrams(query)) CHECK(std::find(text.begin(), text.end(), term) != text.end());
  }
  CHECK(search_words("盲道 占用，车辆") == Terms{"盲道", "占用", "车辆"});
  CHECK(searchable_characters("盲") == 1);
  CHECK(searchable_characters("盲道！") == 2);
  CHECK(searchable_characters("，。") == 0);
}

TEST_CASE("invalid UTF-8 bytes are skipped, not indexed") {
  CHECK(search_bigrams("盲\xff道") == Terms{"盲道"});
  CHECK(search_bigrams("\xe4\xbd").empty());
}
