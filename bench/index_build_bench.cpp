// How fast the text index is built from petitions (issue 23, point 6): shards of a given size written one after
// another with the server's own code (petition_terms, IndexShard), then merged into an index (TextIndex::install).
//
//   index_build_bench ROWS SHARD_PETITIONS [WORK_DIR]
//
// ROWS: "id<TAB>subject<TAB>content" lines in COPY's text format, e.g.
//   \copy (SELECT id, subject, content FROM petitions ORDER BY id DESC LIMIT 100000) TO 'rows.tsv'
// Prints petitions per second for the shards and the merge, and the sizes. Not a test.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "server/search/petition_terms.hpp"
#include "server/search/text_index.hpp"

namespace fs = std::filesystem;
using petitiond::search::IndexedPetition;

namespace {

std::string unescape(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    const char next = field[++i];
    out += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
  }
  return out;
}

std::vector<petitiond::search::PetitionText> read_rows(const fs::path& file) {
  std::vector<petitiond::search::PetitionText> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find('\t');
    const auto second = line.find('\t', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    petitiond::search::PetitionText p;
    p.id = std::stoll(line.substr(0, first));
    p.subject = unescape(line.substr(first + 1, second - first - 1));
    p.content = unescape(line.substr(second + 1));
    p.state = "handling";
    rows.push_back(std::move(p));
  }
  return rows;
}

std::uintmax_t size_of(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: index_build_bench ROWS SHARD_PETITIONS [WORK_DIR]\n";
    return 2;
  }
  const auto rows = read_rows(argv[1]);
  const auto shard_size = static_cast<std::size_t>(std::stoul(argv[2]));
  const fs::path work = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path() / "index_build_bench";
  fs::remove_all(work);
  fs::create_directories(work);

  auto started = std::chrono::steady_clock::now();
  const auto cpu_started = std::clock();
  std::vector<fs::path> shards;
  double terms_seconds = 0;
  for (std::size_t from = 0; from < rows.size(); from += shard_size) {
    shards.push_back(work / ("shard-" + std::to_string(shards.size())));
    petitiond::search::IndexShard shard(shards.back());
    for (std::size_t i = from; i < std::min(rows.size(), from + shard_size); i += 1000) {
      const auto terms_started = std::chrono::steady_clock::now();
      std::vector<IndexedPetition> batch;
      for (std::size_t j = i; j < std::min(std::min(rows.size(), from + shard_size), i + 1000); ++j)
        batch.push_back(petitiond::search::petition_terms(rows[j]));
      terms_seconds += seconds_since(terms_started);
      shard.add(batch);
    }
    shard.finish();
  }
  const double shard_seconds = seconds_since(started);
  const double shard_cpu_seconds = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
  const auto shard_bytes = size_of(work);

  started = std::chrono::steady_clock::now();
  petitiond::search::TextIndex index(work / "index");
  index.install(shards, {{"built", "1"}});
  const double merge_seconds = seconds_since(started);

  std::cout << "petitions " << rows.size() << ", shards of " << shard_size << " (" << shards.size() << ")\n"
            << "shards: " << shard_seconds << " s, " << rows.size() / shard_seconds << " petitions/s (terms "
            << terms_seconds << " s; CPU " << shard_cpu_seconds << " s, " << 1000 * shard_cpu_seconds / rows.size()
            << " ms a petition), " << shard_bytes / 1e6 << " MB\n"
            << "merge: " << merge_seconds << " s, " << rows.size() / merge_seconds << " petitions/s, index "
            << size_of(work / "index") / 1e6 << " MB, " << index.documents() << " documents\n";
  return 0;
}
