// Reading petitions: one, a filtered page, the timeline, a caller's history, the public status.
#include <boost/json/serialize.hpp>

#include "server/store/cursor.hpp"
#include "server/store/petition_rows.hpp"
#include "core/error.hpp"
#include "workflow/identity.hpp"
#include "workflow/text_search.hpp"
#include "server/search/petition_terms.hpp"
#include "server/search/text_index.hpp"

namespace petitiond::store {
namespace {

// Totals are exact up to this many; past it a list says "1,000 or more" (managers' exact figures come
// from the reports), so that a broad filter never counts a million rows per page view. A text search
// counts to 200: a common word is found on every page, but counting it costs a walk.
constexpr int count_limit = 1'000;
constexpr int text_count_limit = 200;
// A word search checks the text index's candidates against the rows (who may see them, the filters the index
// does not hold, the words as written) in batches, and gives up counting past this many candidates.
constexpr std::size_t first_candidates = 256;
constexpr std::size_t max_candidates = 10'000;
// A unit's subtree narrows a search inside the text index up to this many units; a larger one (a district)
// is left to the rows' check.
constexpr int max_index_units = 64;

// Keyset cursors: "<sort key>|<id>", the sort key the received time or deadline in epoch microseconds
// (empty for a petition without a deadline).
constexpr const char* from_epoch_us = "(timestamptz 'epoch' + $K::bigint * interval '1 microsecond')";

std::string timestamp_param(pg::Statement& statement, std::int64_t epoch_us) {
  std::string sql = from_epoch_us;
  return sql.replace(sql.find("$K"), 2, param(statement, epoch_us));
}

std::string in_list(pg::Statement& statement, const char* column, const std::vector<std::string>& values) {
  if (values.empty()) return "";
  return std::string(" AND ") + column + " = ANY (" + param(statement, pg::words_literal(values)) + "::text[])";
}

// The current time as a parameter, bound only when a condition uses it (PostgreSQL refuses a
// parameter that no part of the statement gives a type).
class NowParam {
 public:
  NowParam(pg::Statement& statement, std::int64_t now) : statement_(statement), now_(now) {}
  const std::string& operator()() {
    if (sql_.empty()) sql_ = "to_timestamp(" + param(statement_, now_) + "::double precision)";
    return sql_;
  }

 private:
  pg::Statement& statement_;
  std::int64_t now_;
  std::string sql_;
};

std::string trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return std::string(text);
}

// "20261202-K7QH-2M9X-P4TD" (any case): eight digits, a dash, then letters, digits and dashes.
bool looks_like_tracking_code(std::string_view text) {
  const auto code = trimmed(text);
  if (code.size() < 10 || code.size() > 40 || code[8] != '-') return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const auto c = static_cast<unsigned char>(code[i]);
    if (i < 8 ? !std::isdigit(c) : !(std::isalnum(c) || c == '-')) return false;
  }
  return true;
}

// Seven or more digits, written with nothing but spaces, dashes, brackets and a leading +.
// A Chinese personal name as typed: two to five Han characters (a middle dot allowed, as in minority names).
bool looks_like_name(std::string_view text) {
  const auto name = trimmed(text);
  int characters = 0;
  for (std::size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0xE0 || c >= 0xF0 || i + 2 >= name.size()) {
      if (name.compare(i, 2, "\xC2\xB7") == 0) {  // ·
        i += 2;
        continue;
      }
      return false;
    }
    const unsigned code = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(name[i + 1]) & 0x3Fu) << 6) |
                          (static_cast<unsigned char>(name[i + 2]) & 0x3Fu);
    if (code < 0x4E00 || code > 0x9FFF) return false;
    ++characters;
    i += 3;
  }
  return characters >= 2 && characters <= 5;
}

bool looks_like_phone(std::string_view text) {
  int digits = 0;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
    else if (std::string_view(" -()+").find(c) == std::string_view::npos) return false;
  }
  return digits >= 7;
}

// The keyset condition of a page after the cursor `f.after` (none for the first page).
std::string cursor_condition(const PetitionFilter& f, pg::Statement& statement) {
  if (!f.after) return "";
  std::string sql;
  const auto cursor = parse_cursor(*f.after, '|');
  if (f.sort == PetitionFilter::Sort::received) {
    auto k = timestamp_param(statement, cursor_integer(cursor));
    sql += " AND (p.received_at, p.id) < (" + k + ", " + param(statement, cursor.id) + ")";
  } else if (!cursor.key.empty()) {
    auto k = timestamp_param(statement, cursor_integer(cursor));
    auto i = param(statement, cursor.id);
    sql += " AND (p.due_at > " + k + " OR (p.due_at = " + k + " AND p.id > " + i + ") OR p.due_at IS NULL)";
  } else {
    sql += " AND p.due_at IS NULL AND p.id > " + param(statement, cursor.id);
  }
  return sql;
}

// A list's conditions past who may see it (" AND ..."), their parameters bound to `statement`.
std::string filter_conditions(const Actor& actor, const PetitionFilter& f, pg::Statement& statement, NowParam& now,
                              bool with_cursor) {
  std::string sql = in_list(statement, "p.state", f.states);
  sql += in_list(statement, "p.type", f.types);
  sql += in_list(statement, "p.category", f.categories);
  sql += in_list(statement, "p.channel", f.channels);
  sql += in_list(statement, "p.urgency", f.urgencies);
  if (f.unit_code)
    sql += " AND p.responsible_unit_id IN (SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE code = " +
           param(statement, *f.unit_code) + "))";
  if (f.deadline_status == "overdue") sql += " AND p.due_at <= " + now();
  if (f.deadline_status == "warning") sql += " AND p.due_at > " + now() + " AND p.warn_at <= " + now();
  if (f.deadline_status == "ok")
    sql += " AND p.due_at > " + now() + " AND (p.warn_at IS NULL OR p.warn_at > " + now() + ")";
  if (f.received_from)
    sql += " AND p.received_at >= (" + param(statement, *f.received_from) +
           "::date - interval '8 hours') AT TIME ZONE 'UTC'";
  if (f.received_to)
    sql += " AND p.received_at < (" + param(statement, *f.received_to) +
           "::date + interval '16 hours') AT TIME ZONE 'UTC'";
  if (f.proxy_user_id) sql += " AND p.proxy_user_id = " + param(statement, *f.proxy_user_id);
  if (f.mine) {
    auto me = param(statement, actor.user_id);
    sql += " AND (p.filed_by = " + me + " OR p.proxy_user_id = " + me + ")";
  }
  // The search box takes a tracking code, a phone number, or words of the subject and content.
  if (f.text && looks_like_tracking_code(*f.text)) {
    sql += " AND p.tracking_code = upper(" + param(statement, trimmed(*f.text)) + ")";
  } else if (f.text && looks_like_phone(*f.text)) {
    sql += " AND p.petitioner_id IN (SELECT id FROM petitioners WHERE phone_key = " +
           param(statement, normalise_phone(*f.text)) + ")";
  } else if (f.text && f.text_is_name) {
    // Nobody finds an anonymous petition by its petitioner's name.
    sql += " AND NOT p.anonymous AND p.petitioner_id IN (SELECT id FROM petitioners WHERE name = " +
           param(statement, trimmed(*f.text)) + ")";
  } else if (f.text) {
    // The text index found petitions holding the words' bigrams; each word must also be there as written.
    sql += " AND NOT EXISTS (SELECT 1 FROM unnest(" +
           param(statement, pg::words_literal(workflow::search_words(*f.text))) +
           "::text[]) w WHERE strpos(lower(p.subject || ' ' || p.content), lower(w)) = 0)";
  }
  if (with_cursor) sql += cursor_condition(f, statement);
  return sql;
}

// The WHERE clause of a list, its parameters bound to `statement`.
std::string list_conditions(const Actor& actor, const PetitionFilter& f, pg::Statement& statement, NowParam& now,
                            bool with_cursor) {
  const auto visible = visible_petitions_condition(actor, statement);
  return " WHERE " + visible + filter_conditions(actor, f, statement, now, with_cursor);
}

// The WHERE clauses whose rows together are a list: one, or, when the actor's visibility is narrow, one per
// branch (each leaving out the rows of the branches before it), so that each is read in the list's order through
// its own index and stops at the page — an OR of them reads every row of the unit, in any state, and sorts.
std::vector<std::string> list_parts(const Actor& actor, const PetitionFilter& f, pg::Statement& statement,
                                    NowParam& now, bool with_cursor) {
  const auto visibility = petition_visibility(actor, statement);
  const auto filters = filter_conditions(actor, f, statement, now, with_cursor);
  if (!visibility.narrow || visibility.any_of.size() < 2) return {" WHERE " + visibility.condition() + filters};
  std::vector<std::string> parts;
  std::string earlier;
  for (const auto& branch : visibility.any_of) {
    parts.push_back(" WHERE " + visibility.not_accused + " AND (" + branch + ")" + earlier + filters);
    earlier += " AND (" + branch + ") IS NOT TRUE";
  }
  return parts;
}

// `SELECT what FROM petitions p` for each part, ordered and limited, as one row source.
std::string union_of(const std::vector<std::string>& parts, const std::string& what, const std::string& order,
                     const std::string& limit) {
  std::string sql;
  for (const auto& part : parts)
    sql += (sql.empty() ? "(" : " UNION ALL (") + ("SELECT " + what + " FROM petitions p") + part + order + " LIMIT " +
           limit + ")";
  return sql;
}

}  // namespace

std::string summary_select(const std::string& now, const std::string& from, const std::string& extra_columns) {
  return "SELECT p.id, p.tracking_code, p.channel, p.type, p.category, p.urgency, p.subject, p.state,"
         " iso_local(p.received_at), ru.code, ru.name, iso_local(p.due_at),"
         " CASE WHEN p.due_at IS NULL THEN NULL WHEN p.due_at <= " +
         now +
         " THEN 'overdue'"
         "      WHEN p.warn_at <= " +
         now +
         " THEN 'warning' ELSE 'ok' END,"
         " p.repeat_of, p.anonymous, CASE WHEN p.petitioner_given IS NULL THEN pr.name ELSE "
         "p.petitioner_given->>'name' END,"
         " (extract(epoch FROM p.received_at) * 1000000)::bigint::text,"
         " (extract(epoch FROM p.due_at) * 1000000)::bigint::text, pr.preferred_channel,"
         " pr.contact_consent, extract(epoch FROM p.due_at)::bigint,"
         " CASE WHEN p.due_at IS NULL THEN '{}'::text[] ELSE " +
         calendar_chain("coalesce(ru.path, iu.path)") + " END" + extra_columns + " FROM " + from +
         " p JOIN petitioners pr ON pr.id = p.petitioner_id"
         " LEFT JOIN units ru ON ru.id = p.responsible_unit_id"
         " LEFT JOIN units iu ON iu.id = p.intake_unit_id";
}

PetitionSummary summary_from(const pg::Result& r, int row) {
  PetitionSummary s;
  s.id = r.integer(row, 0);
  s.tracking_code = r.text(row, 1);
  s.channel = r.text(row, 2);
  s.type = r.text(row, 3);
  s.category = r.text(row, 4);
  s.urgency = r.text(row, 5);
  s.subject = r.text(row, 6);
  s.state = r.text(row, 7);
  s.received_at = r.text(row, 8);
  s.responsible_unit = r.optional_text(row, 9);
  s.responsible_unit_name = r.optional_text(row, 10);
  s.due_at = r.optional_text(row, 11);
  s.deadline_status = r.optional_text(row, 12);
  if (!r.is_null(row, 13)) s.repeat_of = r.integer(row, 13);
  s.anonymous = r.boolean(row, 14);
  s.petitioner_name = r.optional_text(row, 15);
  s.preferred_channel = r.text(row, 18);
  s.contact_consent = r.boolean(row, 19);
  s.due = optional_instant(r, row, 20);
  s.calendar_chain = r.words(row, 21);
  return s;
}

PetitionStore::PetitionStore(pg::Pool& pool, const workflow::WorkflowSet& workflows, CalendarBook& calendars,
                             RoutingBook& routing, Clock clock)
    : pool_(pool), workflows_(workflows), calendars_(calendars), routing_(routing), clock_(std::move(clock)) {}

std::string not_accused(const std::string& petition, const std::string& viewer_path) {
  // The rule is the SQL function accuses() (schemas/functions/accuses.sql); most petitions accuse nobody and skip the
  // call.
  return "(" + petition + ".complained_unit_ids = '{}' OR NOT accuses(" + petition + ".complained_unit_ids, " +
         viewer_path + "))";
}

Visibility petition_visibility(const Actor& actor, pg::Statement& statement) {
  // Only the branches of the actor's roles are written out, so the planner sees a condition it can use.
  Visibility out;
  auto path = param(statement, actor.unit_path);
  out.not_accused = not_accused("p", path + "::ltree");
  // Subtrees as sets of unit ids, so that the (unit, deadline) indexes serve them.
  const auto subtree = "(SELECT id FROM units WHERE path <@ " + path + "::ltree)";
  bool wide = false;
  if (actor.has(Role::operator_)) {
    auto user = param(statement, actor.user_id);
    out.any_of.push_back("p.filed_by = " + user);
    out.any_of.push_back("p.intake_unit_id IN " + subtree);
    wide = true;
  }
  if (actor.has(Role::handler)) {
    auto unit = param(statement, actor.unit_id);
    // The units that handed an order down keep it in sight: they stay answerable for it.
    // Array containment (not = ANY) so that the GIN indexes on both arrays serve it.
    out.any_of.push_back("p.responsible_unit_id = " + unit);
    out.any_of.push_back("p.co_unit_ids @> ARRAY[" + unit + "]::bigint[]");
    out.any_of.push_back("p.handed_down_from @> ARRAY[" + unit + "]::bigint[]");
  }
  if (actor.has(Role::manager)) {
    out.any_of.push_back("p.responsible_unit_id IN " + subtree);
    out.any_of.push_back("p.intake_unit_id IN " + subtree);
    out.any_of.push_back("p.reviewing_unit_id IN " + subtree);
    wide = true;
  }
  if (actor.has(Role::proxy)) out.any_of.push_back("p.proxy_user_id = " + param(statement, actor.user_id));
  out.narrow = !wide;
  return out;
}

std::string Visibility::condition() const {
  std::string any = any_of.empty() ? "false" : "";
  for (const auto& branch : any_of) any += (any.empty() ? "(" : " OR (") + branch + ")";
  return "(" + not_accused + " AND (" + any + "))";
}

std::string visible_petitions_condition(const Actor& actor, pg::Statement& statement) {
  return petition_visibility(actor, statement).condition();
}

const workflow::Definition& PetitionStore::definition_of(const Petition& petition) const {
  return workflows_.version(petition.workflow, petition.workflow_version);
}

std::set<std::string> PetitionStore::roles_toward(const Actor& actor, const Petition& petition) const {
  std::set<std::string> roles;
  if (actor.has(Role::operator_)) roles.insert("operator");
  if (actor.has(Role::manager)) roles.insert("manager");
  if (actor.has(Role::admin)) roles.insert("admin");
  if (actor.has(Role::handler) && petition.responsible_unit && petition.responsible_unit->id == actor.unit_id)
    roles.insert("handler");
  if (actor.has(Role::proxy) && petition.proxy_user_id == actor.user_id) roles.insert("proxy");
  // The unit that handed the order down checks the reply and may take the order back.
  if ((actor.has(Role::handler) || actor.has(Role::manager)) && !petition.handed_down_from.empty() &&
      petition.handed_down_from.back().id == actor.unit_id)
    roles.insert("upper");
  // A co-handling unit signs for its part, then gives its contribution.
  if (actor.has(Role::handler))
    for (const auto& part : petition.co_parts)
      if (part.unit.id == actor.unit_id && !part.contributed_at)
        roles.insert(part.signed_at ? "co_handler" : "co_signer");
  // Only the body above the unit that replied decides its review; the replying unit's staff never do.
  if (actor.has(Role::manager) && petition.reviewing_unit && petition.reviewing_unit->id == actor.unit_id)
    roles.insert("reviewer");
  return roles;
}

boost::asio::awaitable<std::optional<Petition>> PetitionStore::find(const Actor& actor, std::int64_t id) {
  pg::Statement statement("", epoch(clock_()), id);
  statement.sql =
      petition_select("to_timestamp($1)") + " WHERE p.id = $2 AND " + visible_petitions_condition(actor, statement);
  auto result = co_await pool_.run_one(std::move(statement));
  if (result.rows() == 0) co_return std::nullopt;
  co_return petition_from(result, 0);
}

boost::asio::awaitable<std::vector<TimelineEvent>> PetitionStore::events(const Actor& actor, std::int64_t id) {
  pg::Statement statement("", id);
  statement.sql =
      "SELECT e.id, iso_local(e.at), e.actor_id, e.actor_name, e.action, e.from_state, e.to_state, e.fields::text,"
      " (SELECT 1 FROM petitions p WHERE p.id = $1 AND " +
      visible_petitions_condition(actor, statement) +
      ") AS visible"
      " FROM (SELECT 1) one LEFT JOIN petition_events e ON e.petition_id = $1 ORDER BY e.id";
  auto result = co_await pool_.run_one(std::move(statement));
  if (result.rows() == 0 || result.is_null(0, 8)) throw Error(Errc::not_found, "no such petition");
  std::vector<TimelineEvent> events;
  for (int row = 0; row < result.rows(); ++row) {
    if (result.is_null(row, 0)) continue;
    TimelineEvent e;
    e.id = result.integer(row, 0);
    e.at = result.text(row, 1);
    if (!result.is_null(row, 2)) e.actor_id = result.integer(row, 2);
    e.actor_name = result.text(row, 3);
    e.action = result.text(row, 4);
    e.from_state = result.optional_text(row, 5);
    e.to_state = result.optional_text(row, 6);
    e.fields_json = result.text(row, 7);
    events.push_back(std::move(e));
  }
  co_return events;
}

namespace {

// The page's rows in `order`, its cursor, and the total counted to `limit`, from the results of a page query
// (limit + 1 rows) and a count.
PetitionPage page_from(const pg::Result& rows, std::int64_t counted, int page_size, int limit, bool by_deadline) {
  PetitionPage out;
  for (int row = 0; row < rows.rows() && row < page_size; ++row) out.items.push_back(summary_from(rows, row));
  if (rows.rows() > page_size) {
    const int last = page_size - 1;
    out.next = std::string(rows.text(last, by_deadline ? 17 : 16)) + "|" + std::to_string(rows.integer(last, 0));
  }
  out.total = counted;
  out.total_exact = out.total <= limit;
  if (!out.total_exact) out.total = limit;
  return out;
}

// The ids of a unit's subtree as index terms, or nothing when the subtree is too large to narrow by.
std::optional<std::vector<std::string>> subtree_terms(const pg::Result& units, std::string (*term)(std::int64_t)) {
  if (units.rows() > max_index_units) return std::nullopt;
  std::vector<std::string> terms;
  for (int row = 0; row < units.rows(); ++row) terms.push_back(term(units.integer(row, 0)));
  return terms;
}

template <typename F>
std::vector<std::string> terms_of(const std::vector<std::string>& values, F term) {
  std::vector<std::string> out;
  for (const auto& value : values) out.push_back(term(value));
  return out;
}

}  // namespace

void PetitionStore::use_text_index(const search::TextIndex* index, search::IndexFreshness* freshness) {
  text_index_ = index;
  freshness_ = freshness;
}

void PetitionStore::wrote(std::int64_t user_id) {
  std::lock_guard lock(writes_mutex_);
  last_writes_[user_id] = std::chrono::steady_clock::now();
}

std::optional<std::chrono::steady_clock::time_point> PetitionStore::last_write(std::int64_t user_id) const {
  std::lock_guard lock(writes_mutex_);
  auto it = last_writes_.find(user_id);
  if (it == last_writes_.end()) return std::nullopt;
  return it->second;
}

boost::asio::awaitable<PetitionPage> PetitionStore::list(const Actor& actor, PetitionFilter filter) {
  if (filter.text && workflow::searchable_characters(*filter.text) < 2)
    throw Error(Errc::invalid_field, "search needs at least two letters or digits", "q");
  // Two to five Han characters that are someone's name search by the name; any other words, the text.
  if (filter.text && looks_like_name(*filter.text)) {
    pg::Statement named("SELECT EXISTS (SELECT 1 FROM petitioners WHERE name = $1)", trimmed(*filter.text));
    filter.text_is_name = (co_await pool_.run_one(std::move(named))).text(0, 0) == "t";
  }
  const bool words =
      filter.text && !filter.text_is_name && !looks_like_tracking_code(*filter.text) && !looks_like_phone(*filter.text);
  if (words) {
    auto found = co_await search_words(actor, filter);
    if (found) co_return std::move(*found);
  }
  const auto now = epoch(clock_());
  pg::Statement page("");
  NowParam page_now(page, now);
  const bool by_deadline = filter.sort == PetitionFilter::Sort::deadline;
  const std::string order =
      by_deadline ? " ORDER BY p.due_at ASC NULLS LAST, p.id ASC" : " ORDER BY p.received_at DESC, p.id DESC";
  const auto now_sql = page_now();
  const auto page_parts = list_parts(actor, filter, page, page_now, true);
  const auto page_size = param(page, filter.limit + 1);
  // One unit's subtree by deadline: each unit's first rows through its (responsible_unit_id, due_at) index, then
  // merged — not every matching row of the subtree read and sorted.
  const bool per_unit = by_deadline && filter.unit_code && page_parts.size() == 1;
  auto subtree_units = [&filter](pg::Statement& statement) {
    return "(SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE code = " +
           param(statement, *filter.unit_code) + ")) un";
  };
  std::string page_rows;
  if (per_unit)
    page_rows = "(SELECT p.* FROM " + subtree_units(page) + " CROSS JOIN LATERAL (SELECT * FROM petitions p" +
                page_parts[0] + " AND p.responsible_unit_id = un.id" + order + " LIMIT " + page_size + ") p" + order +
                " LIMIT " + page_size + ")";
  else if (page_parts.size() == 1)
    page_rows = "(SELECT * FROM petitions p" + page_parts[0] + order + " LIMIT " + page_size + ")";
  else
    page_rows =
        "(SELECT * FROM (" + union_of(page_parts, "*", order, page_size) + ") p" + order + " LIMIT " + page_size + ")";
  page.sql = summary_select(now_sql, page_rows) + order;

  // The count walks the same indexes in the same order as the page, and stops past the limit.
  const int limit = filter.text ? text_count_limit : count_limit;
  pg::Statement count("");
  NowParam count_now(count, now);
  const auto count_parts = list_parts(actor, filter, count, count_now, false);
  const auto count_limit_sql = param(count, limit + 1);
  if (per_unit)
    count.sql = "SELECT count(*) FROM (SELECT 1 FROM " + subtree_units(count) +
                " CROSS JOIN LATERAL (SELECT 1 FROM petitions p" + count_parts[0] +
                " AND p.responsible_unit_id = un.id LIMIT " + count_limit_sql + ") p LIMIT " + count_limit_sql +
                ") matching";
  else count.sql = "SELECT count(*) FROM (" + union_of(count_parts, "1", order, count_limit_sql) + ") matching";
  page.prepare = false;
  count.prepare = false;
  std::vector<pg::Statement> statements;
  // Words sorted by deadline with too many matches for the index's way (search_words): the deadline order is
  // walked, never the whole table.
  if (words) statements.emplace_back("SET LOCAL enable_seqscan = off");
  statements.push_back(std::move(page));
  statements.push_back(std::move(count));
  auto results = co_await pool_.run(std::move(statements));
  if (words) results.erase(results.begin());
  co_return page_from(results[0], results[1].integer(0, 0), filter.limit, limit, by_deadline);
}

// Words: the text index gives the petitions holding their bigrams, newest registered first, narrowed by the
// actor's units and the filters it holds; the rows decide the rest (list_conditions: who may see it, the
// other filters, the words as written), a batch of candidates at a time until the page and the count are full.
// Sorted by deadline, every match is gathered first and the rows sort them; when there are more than
// max_candidates (a common word over open petitions), nothing: list() walks the deadline order instead, where
// such words are met early.
boost::asio::awaitable<std::optional<PetitionPage>> PetitionStore::search_words(const Actor& actor,
                                                                                PetitionFilter filter) {
  if (!text_index_ || !text_index_->ready())
    throw Error(Errc::unavailable, "the text search index is being built; try again in a few minutes", "q");
  if (auto written = last_write(actor.user_id); written && freshness_) co_await freshness_->wait_past(*written);
  const bool by_deadline = filter.sort == PetitionFilter::Sort::deadline;

  // The units that narrow the search inside the index: the actor's subtree, the filter's.
  std::vector<pg::Statement> lookups;
  lookups.emplace_back("SELECT id FROM units WHERE path <@ $1::ltree LIMIT $2", actor.unit_path, max_index_units + 1);
  if (filter.unit_code)
    lookups.emplace_back("SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE code = $1) LIMIT $2",
                         *filter.unit_code, max_index_units + 1);
  auto units = co_await pool_.run(std::move(lookups));

  search::TextQuery query;
  query.required = workflow::search_bigrams(*filter.text);
  // Who may see it (a superset: the rows decide).
  std::vector<std::string> visible;
  bool everyone = false;
  if (actor.has(Role::operator_) || actor.has(Role::manager)) {
    if (auto terms = subtree_terms(units[0], search::unit_term))
      visible.insert(visible.end(), terms->begin(), terms->end());
    else everyone = true;
  }
  if (actor.has(Role::handler)) visible.push_back(search::unit_term(actor.unit_id));
  if (actor.has(Role::operator_)) visible.push_back(search::filed_by_term(actor.user_id));
  if (actor.has(Role::proxy)) visible.push_back(search::proxy_term(actor.user_id));
  if (!everyone) query.any_of.push_back(std::move(visible));
  if (!filter.states.empty()) query.any_of.push_back(terms_of(filter.states, search::state_term));
  if (!filter.types.empty()) query.any_of.push_back(terms_of(filter.types, search::type_term));
  if (!filter.categories.empty()) query.any_of.push_back(terms_of(filter.categories, search::category_term));
  if (!filter.channels.empty()) query.any_of.push_back(terms_of(filter.channels, search::channel_term));
  if (!filter.urgencies.empty()) query.any_of.push_back(terms_of(filter.urgencies, search::urgency_term));
  if (filter.unit_code)
    if (auto terms = subtree_terms(units[1], search::responsible_term)) query.any_of.push_back(std::move(*terms));
  if (filter.proxy_user_id) query.any_of.push_back({search::proxy_term(*filter.proxy_user_id)});
  if (filter.mine) query.any_of.push_back({search::filed_by_term(actor.user_id), search::proxy_term(actor.user_id)});
  for (const auto& group : query.any_of)
    if (group.empty()) co_return PetitionPage{};  // nobody the actor may see could match

  // The count from the top, the page from the cursor: one walk when there is no cursor.
  const std::size_t counted_to = by_deadline ? max_candidates : static_cast<std::size_t>(text_count_limit) + 1;
  auto matches = co_await text_matches(actor, filter, query, counted_to);
  if (by_deadline && matches.more) co_return std::nullopt;
  const auto counted = static_cast<std::int64_t>(matches.ids.size());
  const bool counted_all = !matches.more;
  auto passing = std::move(matches.ids);
  if (filter.after && !by_deadline) {
    query.below_id = parse_cursor(*filter.after, '|').id;
    passing = (co_await text_matches(actor, filter, query, static_cast<std::size_t>(filter.limit) + 1)).ids;
  }

  // The page: the first passing rows newest first, or (by deadline) the passing rows in deadline order.
  pg::Statement page("");
  NowParam page_now(page, epoch(clock_()));
  const auto now_sql = page_now();
  std::vector<std::int64_t> page_ids = passing;
  std::string order = " ORDER BY p.id DESC";
  std::string cursor;
  if (by_deadline) {
    order = " ORDER BY p.due_at ASC NULLS LAST, p.id ASC";
    cursor = cursor_condition(filter, page);
  } else if (page_ids.size() > static_cast<std::size_t>(filter.limit) + 1) {
    page_ids.resize(static_cast<std::size_t>(filter.limit) + 1);
  }
  const auto rows = "(SELECT * FROM petitions p WHERE p.id = ANY (" + param(page, pg::ids_literal(page_ids)) +
                    "::bigint[])" + cursor + order + " LIMIT " + param(page, filter.limit + 1) + ")";
  page.sql = summary_select(now_sql, rows) + order;
  page.prepare = false;
  auto result = co_await by_primary_key(std::move(page));
  auto out = page_from(result, counted, filter.limit, by_deadline ? static_cast<int>(max_candidates) : text_count_limit,
                       by_deadline);
  // The candidates' budget ran out before the count was full: as many as found, "or more".
  if (!counted_all && counted <= text_count_limit) out.total_exact = false;
  co_return out;
}

// A statement over candidates named by id: read through the primary key, never a scan of the table.
boost::asio::awaitable<pg::Result> PetitionStore::by_primary_key(pg::Statement statement) {
  std::vector<pg::Statement> statements;
  statements.emplace_back("SET LOCAL enable_seqscan = off");
  statements.push_back(std::move(statement));
  auto results = co_await pool_.run(std::move(statements));
  co_return std::move(results[1]);
}

// Up to `wanted` petitions that pass the rows' check, from the index's candidates a batch at a time (at most
// max_candidates); `more`: candidates were left unchecked.
boost::asio::awaitable<PetitionStore::TextMatches> PetitionStore::text_matches(const Actor& actor,
                                                                               const PetitionFilter& filter,
                                                                               search::TextQuery query,
                                                                               std::size_t wanted) {
  TextMatches out;
  const auto now = epoch(clock_());
  std::size_t examined = 0;
  for (std::size_t batch = first_candidates; out.ids.size() < wanted; batch *= 4) {
    if (examined >= max_candidates) {
      out.more = true;
      break;
    }
    query.count = std::min(batch, max_candidates - examined);
    auto found = text_index_->search(query);
    if (found.ids.empty()) break;
    examined += found.ids.size();
    query.below_id = found.ids.back();
    pg::Statement check("");
    NowParam check_now(check, now);
    check.sql = "SELECT p.id FROM petitions p" + list_conditions(actor, filter, check, check_now, false) +
                " AND p.id = ANY (" + param(check, pg::ids_literal(found.ids)) + "::bigint[]) ORDER BY p.id DESC";
    check.prepare = false;
    auto rows = co_await by_primary_key(std::move(check));
    for (int row = 0; row < rows.rows(); ++row) out.ids.push_back(rows.integer(row, 0));
    out.more = found.more;
    if (!found.more) break;
  }
  co_return out;
}

boost::asio::awaitable<CallerHistory> PetitionStore::caller_history(std::string phone_key,
                                                                    std::optional<std::string> viewer_path) {
  CallerHistory history;
  history.phone_key = phone_key;
  std::vector<pg::Statement> statements;
  statements.emplace_back(
      "SELECT pr.id, pr.name, pr.gender, pr.id_number, pr.phone, pr.certificate_number, pr.address, pu.code, pu.name,"
      " nlevel(pu.path), pu.id FROM petitioners pr LEFT JOIN units pu ON pu.id = pr.unit_id"
      " WHERE pr.phone_key = $1 ORDER BY pr.self_reported, pr.updated_at DESC LIMIT 5",
      phone_key);
  // A caller look-up shows every petition of the number, except accusations against the caller's own unit.
  pg::Statement petitions("", epoch(clock_()), phone_key, viewer_path);
  petitions.sql = summary_select("to_timestamp($1)") + " WHERE pr.phone_key = $2 AND " + not_accused("p", "$3::ltree") +
                  " ORDER BY p.received_at DESC, p.id DESC LIMIT 20";
  statements.push_back(std::move(petitions));
  // Calls from the number and callbacks to it; the petition each was filed under only where it may be told.
  pg::Statement call_rows("", phone_key, viewer_path);
  call_rows.sql =
      "SELECT c.call_id, c.direction, iso_local(c.started_at), iso_local(c.answered_at), iso_local(c.ended_at),"
      " c.cause, CASE WHEN " +
      not_accused("p", "$2::ltree") +
      " THEN c.petition_id END"
      " FROM calls c LEFT JOIN petitions p ON p.id = c.petition_id"
      " WHERE c.from_key = $1 AND c.direction = 'in' OR c.to_key = $1 AND c.direction = 'out'"
      " ORDER BY c.started_at DESC LIMIT 20";
  statements.push_back(std::move(call_rows));
  auto results = co_await pool_.run(std::move(statements));
  const auto& people = results[0];
  for (int row = 0; row < people.rows(); ++row) {
    Petition::Person person;
    person.id = people.integer(row, 0);
    person.name = people.optional_text(row, 1);
    person.gender = people.optional_text(row, 2);
    person.id_number = people.optional_text(row, 3);
    person.phone = people.optional_text(row, 4);
    person.certificate_number = people.optional_text(row, 5);
    person.address = people.optional_text(row, 6);
    if (!people.is_null(row, 7))
      person.unit = UnitRef{people.integer(row, 10), std::string(people.text(row, 7)), std::string(people.text(row, 8)),
                            static_cast<int>(people.integer(row, 9))};
    history.petitioners.push_back(std::move(person));
  }
  for (int row = 0; row < results[1].rows(); ++row) history.petitions.push_back(summary_from(results[1], row));
  const auto& calls = results[2];
  for (int row = 0; row < calls.rows(); ++row) {
    CallerHistory::Call call;
    call.call_id = calls.text(row, 0);
    call.direction = calls.text(row, 1);
    call.started_at = calls.text(row, 2);
    call.answered_at = calls.optional_text(row, 3);
    call.ended_at = calls.optional_text(row, 4);
    call.cause = calls.optional_text(row, 5);
    if (!calls.is_null(row, 6)) call.petition_id = calls.integer(row, 6);
    history.calls.push_back(std::move(call));
  }
  co_return history;
}

namespace {
constexpr const char* attachment_select =
    "SELECT a.id, a.file_name, a.content_type, a.size_bytes, a.sha256, iso_local(a.uploaded_at), u.display_name"
    " FROM attachments a LEFT JOIN users u ON u.id = a.uploaded_by";

Attachment attachment_from(const pg::Result& r, int row) {
  return {r.integer(row, 0),           std::string(r.text(row, 1)), std::string(r.text(row, 2)),
          std::string(r.text(row, 4)), std::string(r.text(row, 5)), r.integer(row, 3),
          r.optional_text(row, 6)};
}
}  // namespace

boost::asio::awaitable<std::vector<Attachment>> PetitionStore::attachments(const Actor& actor, std::int64_t id) {
  if (!co_await find(actor, id)) throw Error(Errc::not_found, "no such petition");
  pg::Statement statement(std::string(attachment_select) + " WHERE a.petition_id = $1 ORDER BY a.id", id);
  auto result = co_await pool_.run_one(std::move(statement));
  std::vector<Attachment> out;
  for (int row = 0; row < result.rows(); ++row) out.push_back(attachment_from(result, row));
  co_return out;
}

boost::asio::awaitable<std::optional<Attachment>> PetitionStore::attachment(const Actor& actor, std::int64_t id,
                                                                            std::int64_t attachment_id) {
  if (!co_await find(actor, id)) co_return std::nullopt;
  auto found = co_await stored_attachment(id, attachment_id);
  co_return found;
}

boost::asio::awaitable<std::optional<Attachment>> PetitionStore::stored_attachment(std::int64_t id,
                                                                                   std::int64_t attachment_id) {
  pg::Statement statement(std::string(attachment_select) + " WHERE a.petition_id = $1 AND a.id = $2", id,
                          attachment_id);
  auto result = co_await pool_.run_one(std::move(statement));
  if (result.rows() == 0) co_return std::nullopt;
  co_return attachment_from(result, 0);
}

boost::asio::awaitable<workflow::Routing> PetitionStore::route(const workflow::RoutingTable& in_force,
                                                               workflow::RoutingRequest request) {
  // Every unit the table could name: the function units, the petitioner's place and its ancestors, and
  // the units complained about (a rule landing on one of them is diverted to its parent).
  pg::Statement query(
      "WITH functions AS (SELECT key, value FROM jsonb_each_text(coalesce((SELECT value FROM settings"
      "   WHERE key = 'routing.functions' AND jsonb_typeof(value) = 'object'), '{}')))"
      " , place AS (SELECT string_to_array(ltree2text((SELECT path FROM units WHERE code = $1)), '.')::bigint[] AS ids)"
      // Local offices serving the place or a unit above it, with the units between them and their function's unit.
      " , offices AS (SELECT o.id, o.path FROM units o, place WHERE o.active AND o.serves_unit_id = ANY (place.ids))"
      " SELECT CASE WHEN u.id IN (SELECT id FROM offices) THEN 'office' ELSE 'unit' END, u.code, u.kind,"
      "  nlevel(u.path), parent.code, served.code FROM units u"
      " LEFT JOIN units parent ON parent.id = u.parent_id LEFT JOIN units served ON served.id = u.serves_unit_id"
      " WHERE u.active AND (u.code IN (SELECT value FROM functions) OR u.code = ANY ($2::text[])"
      "   OR u.id = ANY ((SELECT ids FROM place)::bigint[])"
      "   OR EXISTS (SELECT 1 FROM offices o WHERE u.path @> o.path))"
      " UNION ALL SELECT 'function', key, value, 0, NULL, NULL FROM functions",
      request.petitioner_unit, pg::words_literal(request.complained_about));
  auto rows = co_await pool_.run_one(std::move(query));
  auto table = in_force;
  std::map<std::string, workflow::UnitInfo> units;
  for (int row = 0; row < rows.rows(); ++row) {
    if (rows.text(row, 0) == "function") {
      table.functions[std::string(rows.text(row, 1))] = rows.text(row, 2);
      continue;
    }
    workflow::UnitInfo info{std::string(rows.text(row, 1)), std::string(rows.text(row, 2)),
                            static_cast<int>(rows.integer(row, 3)), rows.optional_text(row, 4),
                            rows.optional_text(row, 5)};
    units[info.code] = info;
    if (rows.text(row, 0) == "office") request.offices.push_back(info);
  }
  workflow::UnitLookup lookup = [&units](const std::string& code) -> std::optional<workflow::UnitInfo> {
    auto it = units.find(code);
    if (it == units.end()) return std::nullopt;
    return it->second;
  };
  auto routed = workflow::route(table, lookup, request);
  // The rule as the caller's table holds it (it pointed into the local copy).
  if (routed.rule) routed.rule = &in_force.rules[static_cast<std::size_t>(routed.rule - table.rules.data())];
  co_return routed;
}

boost::asio::awaitable<std::optional<workflow::Routing>> PetitionStore::suggest_route(const Petition& petition) {
  const auto table = routing_.current();
  workflow::RoutingRequest request{petition.category, petition.urgency, std::nullopt, petition.complained_units};
  if (petition.petitioner.unit) request.petitioner_unit = petition.petitioner.unit->code;
  try {
    co_return co_await route(*table, std::move(request));
  } catch (const Error&) {
    co_return std::nullopt;  // the table cannot place this petition: the dispatcher chooses
  }
}

boost::asio::awaitable<std::optional<PublicStatus>> PetitionStore::public_status(std::string tracking_code,
                                                                                 std::string last_four,
                                                                                 std::string address) {
  std::vector<pg::Statement> statements;
  statements.push_back(take_rate_token("lookups", 30, "lookup:" + address));
  statements.emplace_back(
      "SELECT p.tracking_code, p.state, iso_local(p.received_at), nlevel(ru.path), iso_local(p.accepted_at),"
      " iso_local(p.dispatched_at), iso_local(p.due_at), iso_local(p.replied_at), iso_local(p.closed_at),"
      " p.workflow, p.workflow_version"
      " FROM petitions p JOIN petitioners pr ON pr.id = p.petitioner_id LEFT JOIN units ru ON ru.id = "
      "p.responsible_unit_id"
      " WHERE p.tracking_code = $1 AND (right(pr.phone_key, 4) = $2 OR right(regexp_replace(p.proxy_phone, '[^0-9]', "
      "'', 'g'), 4) = $2)",
      tracking_code, last_four);
  auto results = co_await pool_.run(std::move(statements));
  const auto& r = results[1];
  if (r.rows() == 0) co_return std::nullopt;
  PublicStatus status;
  status.tracking_code = r.text(0, 0);
  status.state = r.text(0, 1);
  status.received_at = r.text(0, 2);
  if (!r.is_null(0, 3)) status.level = static_cast<int>(r.integer(0, 3));
  status.accepted_at = r.optional_text(0, 4);
  status.dispatched_at = r.optional_text(0, 5);
  status.due_at = r.optional_text(0, 6);
  status.replied_at = r.optional_text(0, 7);
  status.closed_at = r.optional_text(0, 8);
  status.workflow = r.text(0, 9);
  status.workflow_version = static_cast<int>(r.integer(0, 10));
  co_return status;
}

}  // namespace petitiond::store
