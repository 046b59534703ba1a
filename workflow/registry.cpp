#include "workflow/registry.hpp"

#include <mutex>
#include <stdexcept>

#include "core/error.hpp"

namespace petitiond::workflow {

WorkflowSet::WorkflowSet(const WorkflowSet& other) {
  std::shared_lock lock(other.mutex_);
  definitions_ = other.definitions_;
  active_ = other.active_;
}

void WorkflowSet::add(Definition definition) {
  auto key = std::make_pair(definition.workflow, definition.version);
  std::unique_lock lock(mutex_);
  if (definitions_.count(key))
    throw std::invalid_argument("workflow " + key.first + " version " + std::to_string(key.second) +
                                " is defined twice");
  definitions_.emplace(std::move(key), std::move(definition));
}

bool WorkflowSet::contains(const std::string& workflow, int version) const {
  std::shared_lock lock(mutex_);
  return definitions_.count({workflow, version}) > 0;
}

const Definition& WorkflowSet::newest_locked(const std::string& workflow) const {
  const Definition* newest = nullptr;
  for (const auto& [key, definition] : definitions_)
    if (key.first == workflow) newest = &definition;  // the map orders versions ascending
  if (!newest) throw Error(Errc::not_found, "no workflow named " + workflow);
  return *newest;
}

const Definition& WorkflowSet::newest(const std::string& workflow) const {
  std::shared_lock lock(mutex_);
  return newest_locked(workflow);
}

const Definition& WorkflowSet::active(const std::string& workflow) const {
  std::shared_lock lock(mutex_);
  if (auto it = active_.find(workflow); it != active_.end()) return definitions_.at({workflow, it->second});
  return newest_locked(workflow);
}

void WorkflowSet::set_active(const std::map<std::string, int>& versions) {
  std::unique_lock lock(mutex_);
  for (const auto& [workflow, version] : versions)
    if (!definitions_.count({workflow, version}))
      throw std::invalid_argument("workflow " + workflow + " has no version " + std::to_string(version));
  active_ = versions;
}

const Definition& WorkflowSet::version(const std::string& workflow, int version) const {
  std::shared_lock lock(mutex_);
  auto it = definitions_.find({workflow, version});
  if (it == definitions_.end())
    throw Error(Errc::not_found, "no version " + std::to_string(version) + " of workflow " + workflow);
  return it->second;
}

std::size_t WorkflowSet::size() const {
  std::shared_lock lock(mutex_);
  return definitions_.size();
}

std::vector<const Definition*> WorkflowSet::all() const {
  std::shared_lock lock(mutex_);
  std::vector<const Definition*> out;
  for (const auto& [key, definition] : definitions_) out.push_back(&definition);
  return out;
}

void CalendarSet::add(Calendar calendar) {
  auto name = calendar.name();
  calendars_.insert_or_assign(std::move(name), std::move(calendar));
}

std::vector<std::string> CalendarSet::names() const {
  std::vector<std::string> out;
  for (const auto& [name, calendar] : calendars_) out.push_back(name);
  return out;
}

void CalendarSet::inherit_from_default() {
  auto base = calendars_.find(default_name_);
  if (base == calendars_.end()) return;
  for (auto& [name, calendar] : calendars_)
    if (name != default_name_) calendar = calendar.over(base->second);
}

std::vector<std::string> CalendarSet::warnings(Date today) const {
  std::vector<std::string> out;
  const std::chrono::year_month_day day{today};
  if (day.month() < std::chrono::November) return out;
  const int next = static_cast<int>(day.year()) + 1;
  for (const auto& [name, calendar] : calendars_)
    if (calendar.last_published_year() < next)
      out.push_back("calendar " + name + " has no official rest days or make-up working days for " +
                    std::to_string(next) + " yet: deadlines past " + std::to_string(calendar.last_published_year()) +
                    " are provisional until they are added");
  return out;
}

const Calendar& CalendarSet::resolve(std::span<const std::string> names_from_unit_up) const {
  for (const auto& name : names_from_unit_up)
    if (auto it = calendars_.find(name); it != calendars_.end()) return it->second;
  auto fallback = calendars_.find(default_name_);
  if (fallback == calendars_.end())
    throw std::invalid_argument("the default calendar " + default_name_ + " is missing");
  return fallback->second;
}

}  // namespace petitiond::workflow
