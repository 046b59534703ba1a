#include "server/search/index_build.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace petitiond::search {
namespace fs = std::filesystem;
namespace {

// "<position>\n<low> <high>\n...": written under another name and renamed, so it is read whole or not at all.
// Losing it (a crash before the file system wrote it) only starts the build again.
constexpr const char* plan_file = "plan";

std::string range_name(const IdRange& range) { return std::to_string(range.low) + "-" + std::to_string(range.high); }

}  // namespace

IndexBuild::IndexBuild(fs::path directory) : directory_(std::move(directory)) {
  std::ifstream in(directory_ / plan_file);
  std::string position;
  if (!in || !std::getline(in, position) || position.empty()) return;
  std::vector<IdRange> ranges;
  for (IdRange range; in >> range.low >> range.high;) ranges.push_back(range);
  if (ranges.empty()) return;
  position_ = position;
  ranges_ = std::move(ranges);
}

void IndexBuild::plan(const std::string& position, const std::vector<IdRange>& ranges) {
  fs::remove_all(directory_);
  fs::create_directories(directory_);
  std::ostringstream text;
  text << position << '\n';
  for (const auto& range : ranges) text << range.low << ' ' << range.high << '\n';
  const auto scratch = directory_ / (std::string(plan_file) + ".partial");
  {
    std::ofstream out(scratch, std::ios::trunc);
    out << text.str();
    out.flush();
    if (!out) throw std::runtime_error("cannot write the text index's build plan in " + directory_.string());
  }
  fs::rename(scratch, directory_ / plan_file);
  position_ = position;
  ranges_ = ranges;
}

std::vector<IdRange> IndexBuild::unfinished() const {
  std::vector<IdRange> out;
  for (const auto& range : ranges_)
    if (!fs::exists(finished_path(range))) out.push_back(range);
  return out;
}

fs::path IndexBuild::start(const IdRange& range) const {
  const auto path = writing_path(range);
  fs::remove_all(path);
  return path;
}

void IndexBuild::finish(const IdRange& range) const { fs::rename(writing_path(range), finished_path(range)); }

std::vector<fs::path> IndexBuild::shards() const {
  std::vector<fs::path> out;
  for (const auto& range : ranges_) {
    const auto path = finished_path(range);
    if (fs::exists(path)) out.push_back(path);
  }
  return out;
}

void IndexBuild::remove() const { fs::remove_all(directory_); }

fs::path IndexBuild::writing_path(const IdRange& range) const { return directory_ / ("writing-" + range_name(range)); }

fs::path IndexBuild::finished_path(const IdRange& range) const { return directory_ / ("shard-" + range_name(range)); }

}  // namespace petitiond::search
