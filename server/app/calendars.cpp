#include "server/app/calendars.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <sstream>

#include "schemas/embedded.hpp"

namespace petitiond::app {

workflow::CalendarSet load_calendars(const std::filesystem::path& extra_dir) {
  std::vector<std::pair<std::string, std::string>> texts;  // (file name, content)
  for (const auto& file : schemas::calendars())
    texts.emplace_back("schemas/" + std::string(file.name), std::string(file.content));
  std::error_code ec;
  if (std::filesystem::is_directory(extra_dir, ec)) {
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(extra_dir))
      if (entry.path().extension() == ".yaml") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      texts.emplace_back(path.string(), text.str());
    }
  }
  // Group the files by the calendar they name.
  std::map<std::string, std::vector<workflow::CalendarFile>> groups;
  for (const auto& [name, text] : texts) {
    std::string calendar;
    try {
      auto root = YAML::Load(text);
      if (root.IsMap() && root["calendar"]) calendar = root["calendar"].as<std::string>();
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(name + ": not valid YAML: " + e.msg);
    }
    if (calendar.empty()) throw std::runtime_error(name + ": names no calendar");
    groups[calendar].push_back({name, text});
  }
  workflow::CalendarSet set;
  for (const auto& [name, files] : groups) {
    try {
      set.add(workflow::load_calendar(files));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("calendar ") + name + ": " + e.what());
    }
  }
  return set;
}

}  // namespace petitiond::app
