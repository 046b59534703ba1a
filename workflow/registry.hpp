#pragma once
// The definitions and calendars a server holds. Several versions of a workflow live side by side: new
// petitions start under the newest, and a petition keeps the version it started under.
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "workflow/calendar.hpp"
#include "workflow/definition.hpp"

namespace petitiond::workflow {

class WorkflowSet {
 public:
  // Throws std::invalid_argument when the same workflow and version are added twice.
  void add(Definition definition);
  // The newest version, for new petitions; throws Error(not_found) for an unknown workflow.
  const Definition& newest(const std::string& workflow) const;
  // A given version, for a petition that started under it; throws Error(not_found).
  const Definition& version(const std::string& workflow, int version) const;
  std::size_t size() const { return definitions_.size(); }
  const std::map<std::pair<std::string, int>, Definition>& all() const { return definitions_; }

 private:
  std::map<std::pair<std::string, int>, Definition> definitions_;
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
