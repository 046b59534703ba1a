// The text index on its own (server/search/text_index.hpp): newest first, pages below an id, filter groups,
// "more", changed filters, what a reader sees before and after a commit, and a build from shards.
#include <catch2/catch.hpp>

#include "server/search/index_build.hpp"
#include "server/search/petition_terms.hpp"
#include "server/search/text_index.hpp"
#include "tests/support/scratch_dir.hpp"
#include "workflow/text_search.hpp"

using namespace petitiond;
using namespace petitiond::search;

namespace {

PetitionText petition(std::int64_t id, const std::string& content, const std::string& state, std::int64_t unit) {
  PetitionText p;
  p.id = id;
  p.subject = "来信";
  p.content = content;
  p.state = state;
  p.type = "help";
  p.category = "other";
  p.channel = "hotline";
  p.urgency = "normal";
  p.intake_unit = 1;
  p.responsible_unit = unit;
  return p;
}

TextQuery words(const std::string& text, std::size_t count) {
  TextQuery q;
  q.required = workflow::search_bigrams(text);
  q.count = count;
  return q;
}

}  // namespace

TEST_CASE("the text index finds petitions newest first, by pages, within filters") {
  test::ScratchDir dir;
  TextIndex index(dir.path() / "index");
  REQUIRE(index.writable());
  std::vector<IndexedPetition> batch;
  // Petition i speaks of 轮椅 when i is even, of 助听器 when i is a multiple of 3; in town 10 + i % 2.
  for (std::int64_t id = 1; id <= 300; ++id) {
    std::string content = std::string(id % 2 == 0 ? "需要轮椅。" : "") + (id % 3 == 0 ? "需要助听器。" : "") + "谢谢";
    batch.push_back(petition_terms(petition(id, content, id % 5 == 0 ? "closed" : "handling", 10 + id % 2)));
  }
  index.replace(batch);
  CHECK(index.search(words("轮椅", 10)).ids.empty());  // nothing before the commit
  index.commit({{"built", "1"}});
  CHECK(index.ready());
  CHECK(index.documents() == 300);

  auto first = index.search(words("轮椅", 5));
  CHECK(first.ids == std::vector<std::int64_t>{300, 298, 296, 294, 292});
  CHECK(first.more);
  auto q = words("轮椅", 5);
  q.below_id = 292;
  CHECK(index.search(q).ids == std::vector<std::int64_t>{290, 288, 286, 284, 282});
  q.below_id = 5;
  auto last = index.search(q);
  CHECK(last.ids == std::vector<std::int64_t>{4, 2});
  CHECK_FALSE(last.more);

  // Both words: multiples of 6; closed ones (multiples of 5 too) filtered out; in town 10 (even ids: all).
  auto both = words("轮椅 助听器", 100);
  both.any_of.push_back({state_term("handling")});
  both.any_of.push_back({unit_term(10), filed_by_term(7)});
  auto found = index.search(both);
  REQUIRE(found.ids.size() == 40);  // 50 multiples of 6, less 10 multiples of 30
  for (auto id : found.ids) CHECK((id % 6 == 0 && id % 30 != 0));
  CHECK_FALSE(found.more);
  auto town11 = words("轮椅", 10);
  town11.any_of.push_back({responsible_term(11)});
  CHECK(index.search(town11).ids.empty());  // odd ids never speak of 轮椅

  // A petition moved (closed, handed to town 11): found through its new filters only, by the same words.
  index.replace({petition_terms(petition(298, "需要轮椅。谢谢", "closed", 11))});
  index.commit({});
  auto handling = words("轮椅", 2);
  handling.any_of.push_back({state_term("handling")});
  CHECK(index.search(handling).ids == std::vector<std::int64_t>{296, 294});  // 300 and 298 closed
  CHECK(index.search(town11).ids == std::vector<std::int64_t>{298});
  CHECK(index.metadata("built") == "1");

  // A second opener of the same directory reads it but leaves the writing to the first.
  TextIndex reader(dir.path() / "index");
  CHECK_FALSE(reader.writable());
  CHECK(reader.search(town11).ids == std::vector<std::int64_t>{298});
}

TEST_CASE("a text index built from shards replaces the index it was built for") {
  test::ScratchDir dir;
  TextIndex index(dir.path() / "index");
  index.replace({petition_terms(petition(1, "旧的索引", "handling", 10))});
  index.commit({{"position", "old"}});
  TextIndex reader(dir.path() / "index");  // another process's view, opened before the build
  REQUIRE(reader.search(words("旧的", 5)).ids == std::vector<std::int64_t>{1});

  // Two ranges, each a shard written newest first: [101, 201) and [1, 101).
  std::vector<std::filesystem::path> shards;
  for (std::int64_t high : {200, 100}) {
    shards.push_back(dir.path() / ("shard-" + std::to_string(high)));
    IndexShard shard(shards.back());
    std::vector<IndexedPetition> batch;
    for (std::int64_t id = high; id > high - 100; --id)
      batch.push_back(petition_terms(petition(id, id % 10 == 0 ? "轮椅坏了" : "谢谢", "handling", 10 + id % 2)));
    shard.add(batch);
    shard.finish();
  }
  index.install(shards, {{"position", "new"}, {"built", "1"}});
  CHECK(index.ready());
  CHECK(index.metadata("position") == "new");
  CHECK(index.documents() == 200);
  auto q = words("轮椅", 3);
  CHECK(index.search(q).ids == std::vector<std::int64_t>{200, 190, 180});
  q.below_id = 120;
  CHECK(index.search(q).ids == std::vector<std::int64_t>{110, 100, 90});
  CHECK(index.search(words("旧的", 5)).ids.empty());  // what the old index held is gone
  CHECK(reader.search(words("轮椅", 1)).ids == std::vector<std::int64_t>{200});

  // Kept as usual afterwards.
  index.replace({petition_terms(petition(201, "轮椅", "handling", 10))});
  index.commit({{"position", "newer"}});
  CHECK(index.search(words("轮椅", 2)).ids == std::vector<std::int64_t>{201, 200});
  CHECK(reader.metadata("position") == "newer");
}

TEST_CASE("a build plan is kept on disk, and a build read again goes on with the ranges it has not finished") {
  test::ScratchDir dir;
  const auto where = dir.path() / "index.build";
  {
    IndexBuild build(where);
    CHECK_FALSE(build.planned());
    build.plan("10:12:11", {{201, 4'000'000'001}, {101, 201}, {0, 101}});
    IndexShard(build.start({101, 201})).finish();
    build.finish({101, 201});
    std::filesystem::create_directories(build.start({201, 4'000'000'001}));  // cut short: no finished shard
  }
  IndexBuild again(where);
  REQUIRE(again.planned());
  CHECK(again.position() == "10:12:11");
  CHECK(again.range_count() == 3);
  CHECK(again.unfinished() == std::vector<IdRange>{{201, 4'000'000'001}, {0, 101}});
  CHECK(again.shards().size() == 1);
  again.remove();
  CHECK_FALSE(IndexBuild(where).planned());
}
