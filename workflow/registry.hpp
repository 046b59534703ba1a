#pragma once
// The definitions and calendars a server holds. Several versions of a workflow live side by side: new
// petitions start under the active one, and a petition keeps the version it started under.
#include <map>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "workflow/calendar.hpp"
#include "workflow/definition.hpp"

namespace petitiond::workflow {

// Versions are only ever added (an admin installs one while the server runs, in any thread), never
// replaced or removed, so a reference to a definition stays valid for the life of the set.
class WorkflowSet {
 public:
  WorkflowSet() = default;
  WorkflowSet(const WorkflowSet& other);
  WorkflowSet& operator=(const WorkflowSet&) = delete;

  // Throws std::invalid_argument when the same workflow and version are added twice.
  void add(Definition definition);
  bool contains(const std::string& workflow, int version) const;
  // The newest version; throws Error(not_found) for an unknown workflow.
  const Definition& newest(const std::string& workflow) const;
  // The version new petitions start under: the one activated, else the newest.
  const Definition& active(const std::string& workflow) const;
  // Which version is active for each workflow named; a workflow not named falls back to its newest.
  // Throws std::invalid_argument for a version the set does not hold.
  void set_active(const std::map<std::string, int>& versions);
  // A given version, for a petition that started under it; throws Error(not_found).
  const Definition& version(const std::string& workflow, int version) const;
  std::size_t size() const;
  // Every version held, by workflow and version.
  std::vector<const Definition*> all() const;

 private:
  const Definition& newest_locked(const std::string& workflow) const;

  mutable std::shared_mutex mutex_;
  std::map<std::pair<std::string, int>, Definition> definitions_;
  std::map<std::string, int> active_;
};

class CalendarSet {
 public:
  // The calendar used when a unit and all its ancestors name none (or name an unknown one).
  explicit CalendarSet(std::string default_name = "cn") : default_name_(std::move(default_name)) {}
  void add(Calendar calendar);
  bool contains(const std::string& name) const { return calendars_.count(name) > 0; }
  // The first known calendar among `names` — a unit's own, then its parent's, up to the district's —
  // else the default. Throws std::invalid_argument when not even the default is known.
  const Calendar& resolve(std::span<const std::string> names_from_unit_up) const;
  std::vector<std::string> names() const;
  const std::string& default_name() const { return default_name_; }
  const std::map<std::string, Calendar>& all() const { return calendars_; }
  // Every calendar but the default laid over the default: a unit's own calendar changes only what it states.
  void inherit_from_default();
  // From 1 November, each calendar that has no official dates for the next year yet, as a sentence for people.
  std::vector<std::string> warnings(Date today) const;

 private:
  std::string default_name_;
  std::map<std::string, Calendar> calendars_;
};

}  // namespace petitiond::workflow
