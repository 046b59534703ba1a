#include "server/search/petition_terms.hpp"

#include "workflow/text_search.hpp"

namespace petitiond::search {

std::string unit_term(std::int64_t unit_id) { return "U" + std::to_string(unit_id); }
std::string responsible_term(std::int64_t unit_id) { return "R" + std::to_string(unit_id); }
std::string filed_by_term(std::int64_t user_id) { return "F" + std::to_string(user_id); }
std::string proxy_term(std::int64_t user_id) { return "P" + std::to_string(user_id); }
std::string state_term(const std::string& state) { return "S" + state; }
std::string type_term(const std::string& type) { return "T" + type; }
std::string category_term(const std::string& category) { return "K" + category; }
std::string channel_term(const std::string& channel) { return "N" + channel; }
std::string urgency_term(const std::string& urgency) { return "G" + urgency; }

IndexedPetition petition_terms(const PetitionText& p) {
  IndexedPetition out{p.id, workflow::search_bigrams(p.subject + "\n" + p.content), {}};
  auto& terms = out.filters;
  terms.push_back(state_term(p.state));
  terms.push_back(type_term(p.type));
  terms.push_back(category_term(p.category));
  terms.push_back(channel_term(p.channel));
  terms.push_back(urgency_term(p.urgency));
  terms.push_back(unit_term(p.intake_unit));
  if (p.responsible_unit) {
    terms.push_back(unit_term(*p.responsible_unit));
    terms.push_back(responsible_term(*p.responsible_unit));
  }
  if (p.reviewing_unit) terms.push_back(unit_term(*p.reviewing_unit));
  for (auto unit : p.co_units) terms.push_back(unit_term(unit));
  for (auto unit : p.handed_down_from) terms.push_back(unit_term(unit));
  if (p.filed_by) terms.push_back(filed_by_term(*p.filed_by));
  if (p.proxy_user) terms.push_back(proxy_term(*p.proxy_user));
  return out;
}

}  // namespace petitiond::search
