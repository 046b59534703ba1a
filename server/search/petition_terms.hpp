#pragma once
// What the text index holds of a petition: the character bigrams of its subject and content
// (workflow/text_search) and filter terms, so that a search narrowed to a unit, a state or a category is
// narrowed inside the index. Filter terms start with a capital letter; bigrams never do (letters are lowered).
//
// The unit terms name every unit the petition is visible through (intake, responsible, reviewing,
// co-handling and handing-down units) and the users it is filed by or for. They only narrow the candidates:
// who may see a petition is still decided by visible_petitions_condition() over the rows found.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/search/text_index.hpp"

namespace petitiond::search {

struct PetitionText {
  std::int64_t id = 0;
  std::string subject;
  std::string content;
  std::string state;
  std::string type;
  std::string category;
  std::string channel;
  std::string urgency;
  std::int64_t intake_unit = 0;
  std::optional<std::int64_t> responsible_unit;
  std::optional<std::int64_t> reviewing_unit;
  std::vector<std::int64_t> co_units;
  std::vector<std::int64_t> handed_down_from;
  std::optional<std::int64_t> filed_by;
  std::optional<std::int64_t> proxy_user;
};

IndexedPetition petition_terms(const PetitionText& petition);

// Terms for filters. A unit term matches a petition that unit is involved in by any of the roles above;
// a responsible term only the unit that handles it.
std::string unit_term(std::int64_t unit_id);
std::string responsible_term(std::int64_t unit_id);
std::string filed_by_term(std::int64_t user_id);
std::string proxy_term(std::int64_t user_id);
std::string state_term(const std::string& state);
std::string type_term(const std::string& type);
std::string category_term(const std::string& category);
std::string channel_term(const std::string& channel);
std::string urgency_term(const std::string& urgency);

}  // namespace petitiond::search
