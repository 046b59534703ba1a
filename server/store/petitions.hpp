#pragma once
// Petitions: intake, lifecycle actions through the workflow engine, the timeline and queries. Every
// change is one transaction (petition row, timeline event, clocks, outbox rows) and every read carries
// the actor's jurisdiction in its SQL: a petition outside it reads as "not found".
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "server/pg/pool.hpp"
#include "server/search/index_follower.hpp"
#include "server/search/text_index.hpp"
#include "server/store/calendar_book.hpp"
#include "workflow/engine.hpp"
#include "workflow/registry.hpp"
#include "workflow/roles.hpp"
#include "server/store/routing_book.hpp"
#include "workflow/routing.hpp"

namespace petitiond::store {

using Clock = std::function<workflow::Instant()>;

// Writing an escalation point earlier than every unfired one NOTIFYs this channel: schedulers wake.
inline constexpr const char* deadline_channel = "petitiond_deadlines";

struct PetitionerInput {
  std::optional<std::string> name, gender, id_number, phone, certificate_number, address, unit_code;
  std::optional<int> disability_type, disability_grade;
  // How they want to hear of their matter. A filing never changes a known petitioner's stored contact details
  // or choices: an operator's fills in only what was missing, a proxy's changes nothing.
  std::optional<std::string> email, language, preferred_channel;
  std::optional<bool> contact_consent;
};

struct ProxyInput {
  bool filer_is_proxy = false;                       // the filing user is the proxy (a proxy account)
  std::optional<std::string> name, relation, phone;  // or a person accompanying the petitioner
  std::string consent_method;                        // written | verbal | recorded_call | electronic
  std::int64_t consent_at = 0;                       // epoch seconds
};

struct Representative {
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> id_number;
};

struct NewPetition {
  std::string channel, type, category, urgency = "normal", subject, content;
  PetitionerInput petitioner;
  bool anonymous = false;
  std::optional<std::string> complaint_object;
  std::vector<std::string> complained_unit_codes;
  std::optional<ProxyInput> proxy;
  int group_size = 1;
  std::vector<Representative> representatives;
  std::optional<std::string> call_id;         // hotline: the call it came from
  std::optional<std::string> answer_on_call;  // a consultation answered on the call: the reply given
  std::optional<workflow::Instant> received;  // a letter or visit registered later: when it arrived
};

// Who registers a petition: a signed-in user, or the public portal from an address.
struct Intake {
  std::optional<Actor> actor;
  std::string address;
  std::optional<std::string> idempotency_key;
  std::string request_hash;  // of the request body, to refuse a key reused for another request
};

struct UnitRef {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  int depth = 0;
};

struct Petition {
  std::int64_t id = 0;
  std::string tracking_code, channel, workflow;
  int workflow_version = 0;
  std::string type, category, urgency, subject, content, state;
  int version = 0;
  struct Person {
    std::int64_t id = 0;
    std::optional<std::string> name, gender, id_number, phone, certificate_number, address;
    std::optional<int> disability_type, disability_grade;
    std::optional<UnitRef> unit;
    bool self_reported = false;
    std::optional<std::string> email;
    std::string language = "zh", preferred_channel = "sms";
    bool contact_consent = true;
  } petitioner;
  // The petitioner as a proxy described them, when the filing matched a person on record (their view).
  std::optional<Person> petitioner_given;
  bool anonymous = false;
  std::optional<std::int64_t> filed_by;
  std::optional<std::string> filed_by_name;
  UnitRef intake_unit;
  std::optional<UnitRef> responsible_unit;
  std::vector<UnitRef> handed_down_from;
  std::optional<UnitRef> reviewing_unit;  // the body deciding its review or re-review (复查, 复核)
  struct CoPart {                         // a co-handling unit's part (协办)
    UnitRef unit;
    std::optional<std::string> due_at, signed_at, contributed_at, contribution, contributed_by;
  };
  std::vector<CoPart> co_parts;  // the units above
                                 // that handed the order down (分级交办), outermost first
  std::vector<std::string> co_units, complained_units;
  std::optional<std::string> complaint_object;
  std::optional<std::int64_t> proxy_user_id;
  std::optional<std::string> proxy_user_name, proxy_name, proxy_relation, proxy_phone, consent_method, consent_at;
  int group_size = 1;
  std::string representatives_json = "[]";
  std::optional<std::int64_t> parent_id, repeat_of;
  int repeat_count = 0, chase_count = 0;
  std::optional<std::string> due_at, warn_at, deadline_status;  // deadline_status: ok | warning | overdue
  std::optional<workflow::Instant> due;
  std::optional<std::string> reply_outcome, satisfaction;
  std::string received_at, updated_at;
  std::optional<std::string> accepted_at, dispatched_at, replied_at, closed_at;
  int reminders = 0, supervisions = 0;                      // escalations fired (催办, 督办)
  std::optional<std::string> supervised_by, criticised_at;  // the supervising unit; when listed (通报)
  workflow::PetitionState workflow_state;
  workflow::Instant handling_started;       // its latest dispatch, or its registration
  std::vector<std::string> calendar_chain;  // calendar names from the deciding unit up
};

struct TimelineEvent {
  std::int64_t id = 0;
  std::string at, actor_name, action;
  std::optional<std::int64_t> actor_id;
  std::optional<std::string> from_state, to_state;
  std::string fields_json = "{}";
};

struct ActionRequest {
  std::string transition;
  std::map<std::string, std::string> fields;
  int expected_version = 0;
};

struct PetitionFilter {
  std::vector<std::string> states, types, categories, channels, urgencies;
  std::optional<std::string> unit_code;                   // responsible unit within this subtree
  std::optional<std::string> deadline_status;             // ok | warning | overdue
  std::optional<std::string> received_from, received_to;  // dates, inclusive (YYYY-MM-DD, local)
  std::optional<std::int64_t> proxy_user_id;
  std::optional<std::string> text;
  bool text_is_name = false;  // set by list(): the text is a petitioner's name
  bool mine = false;          // filed by me, or my proxy cases
  enum class Sort { received, deadline } sort = Sort::received;
  std::optional<std::string> after;  // keyset cursor from a previous page
  int limit = 50;
};

struct PetitionSummary {
  std::int64_t id = 0;
  std::string tracking_code, channel, type, category, urgency, subject, state, received_at;
  std::optional<std::string> responsible_unit, responsible_unit_name, due_at, deadline_status;
  std::optional<workflow::Instant> due;
  std::vector<std::string> calendar_chain;  // as Petition's: for the working time left before `due`
  std::optional<std::int64_t> repeat_of;
  bool anonymous = false;
  std::optional<std::string> petitioner_name;
  std::string preferred_channel =
      "sms";  // how the petitioner wants to hear: sms, email, phone (call, don't text), none
  bool contact_consent = true;
};

struct PetitionPage {
  std::vector<PetitionSummary> items;
  std::int64_t total = 0;
  bool total_exact = true;  // false when more than the count limit matched
  std::optional<std::string> next;
};

struct CallerHistory {
  std::string phone_key;
  std::vector<Petition::Person> petitioners;
  std::vector<PetitionSummary> petitions;
  struct Call {
    std::string call_id, direction, started_at;
    std::optional<std::string> answered_at, ended_at, cause;
    std::optional<std::int64_t> petition_id;
  };
  std::vector<Call> calls;
};

// What the public status look-up shows: state, level and dates, nothing else.
struct PublicStatus {
  std::string tracking_code, state, received_at;
  std::string workflow;  // and its version: the definition that names the state
  int workflow_version = 0;
  std::optional<int> level;
  std::optional<std::string> accepted_at, dispatched_at, due_at, replied_at, closed_at;
};

struct Attachment {
  std::int64_t id = 0;
  std::string file_name, content_type, sha256, uploaded_at;
  std::int64_t size = 0;
  std::optional<std::string> uploaded_by;
};

struct Author;  // who wrote a timeline event (petition_rows.hpp)

class PetitionStore {
 public:
  PetitionStore(pg::Pool& pool, const workflow::WorkflowSet& workflows, CalendarBook& calendars, RoutingBook& routing,
                Clock clock);

  // Registers a petition; returns it and whether it was created now (false: an Idempotency-Key replay).
  boost::asio::awaitable<std::pair<Petition, bool>> create(NewPetition petition, Intake intake);
  boost::asio::awaitable<std::optional<Petition>> find(const Actor& actor, std::int64_t id);
  boost::asio::awaitable<Petition> act(const Actor& actor, std::int64_t id, ActionRequest action);
  boost::asio::awaitable<std::vector<TimelineEvent>> events(const Actor& actor, std::int64_t id);
  boost::asio::awaitable<PetitionPage> list(const Actor& actor, PetitionFilter filter);
  // Word searches read this index (kept by search::IndexFollower); without one they answer unavailable. A user's
  // search first waits for `freshness` to hold what that user wrote here (read your own writes).
  void use_text_index(const search::TextIndex* index, search::IndexFreshness* freshness);
  // Every petition of a number (a caller look-up), except accusations against the unit at `viewer_path`
  // or above it; with no viewer (a push to every operator), except every accusation.
  boost::asio::awaitable<CallerHistory> caller_history(std::string phone_key, std::optional<std::string> viewer_path);
  // A follow-up call attached to a petition: the caller chasing it.
  boost::asio::awaitable<Petition> attach_call(const Actor& actor, std::int64_t id, std::string call_id);
  // Gives a proxy user access to a petition, with the petitioner's consent.
  boost::asio::awaitable<Petition> grant_proxy(const Actor& actor, std::int64_t id, std::int64_t proxy_user_id,
                                               std::string consent_method, std::int64_t consent_at);
  // Records a file already stored durably under its checksum, with a timeline event; the same file
  // again (a retried upload) returns the attachment it already is, and false.
  boost::asio::awaitable<std::pair<Attachment, bool>> add_attachment(const Actor& actor, std::int64_t id,
                                                                     Attachment attachment);
  // A portal petitioner attaches files to the petition just submitted with the token its answer carried, for
  // a while and up to max_portal_files files; only the token's digest is kept.
  static constexpr int max_portal_files = 5;
  boost::asio::awaitable<void> issue_upload_token(std::int64_t id, std::string token, std::chrono::seconds valid);
  // The petition a token still takes files for.
  boost::asio::awaitable<std::optional<std::int64_t>> upload_token_petition(std::string token);
  // Throws not_found when the token has expired or its files are used up.
  boost::asio::awaitable<std::pair<Attachment, bool>> add_portal_attachment(std::string token, Attachment attachment);
  boost::asio::awaitable<std::vector<Attachment>> attachments(const Actor& actor, std::int64_t id);
  boost::asio::awaitable<std::optional<Attachment>> attachment(const Actor& actor, std::int64_t id,
                                                               std::int64_t attachment_id);
  // Fires escalation points due by now (each exactly once, whichever process gets it), at most `batch`;
  // returns how many fired.
  boost::asio::awaitable<int> fire_escalations(std::string process, int batch);
  // After a calendar year is set in the app (by any process): the deadlines and escalation points of the
  // running clocks, recomputed on the calendars now in force, each petition in a transaction of its own;
  // a deadline that moved is on the timeline. Claims the work (a lease), so one process does it; returns
  // how many petitions' deadlines moved, or nothing when there was no work to claim.
  boost::asio::awaitable<std::optional<int>> recompute_deadlines();
  // The running deadlines of the petitions a unit's subtree has in hand (or registered), recomputed after the
  // unit's calendar changed; how many moved.
  boost::asio::awaitable<int> recompute_subtree(std::string unit_code);
  // When the earliest unfired escalation point falls due, if any.
  boost::asio::awaitable<std::optional<workflow::Instant>> next_escalation_due();
  // Forgets Idempotency-Keys older than `keep` (a client retries within minutes, not weeks), and expired
  // portal upload tokens.
  boost::asio::awaitable<std::int64_t> forget_idempotency_keys(std::chrono::hours keep);
  // Where the routing table sends this petition (its category, the petitioner's place, its urgency; the
  // `routing.functions` setting names the units playing each department); empty when no rule resolves.
  boost::asio::awaitable<std::optional<workflow::Routing>> suggest_route(const Petition& petition);
  // Where `table` sends a petition of this category and urgency from this place (a unit code) naming these
  // units in its complaint; throws Error(invalid_field) saying why no rule resolves (an admin's tester).
  boost::asio::awaitable<workflow::Routing> route(const workflow::RoutingTable& table,
                                                  workflow::RoutingRequest request);
  // Empty unless the code exists and the phone's last four digits match.
  boost::asio::awaitable<std::optional<PublicStatus>> public_status(std::string tracking_code, std::string last_four,
                                                                    std::string address);
  // The roles the actor holds toward this petition, as the workflow spells them (a handler only for
  // the responsible unit, a proxy only for their own cases).
  std::set<std::string> roles_toward(const Actor& actor, const Petition& petition) const;
  const workflow::Definition& definition_of(const Petition& petition) const;
  std::shared_ptr<const workflow::RoutingTable> routing() const { return routing_.current(); }
  const workflow::Definition& active_workflow() const { return workflows_.active("petition"); }
  workflow::Instant now() const { return clock_(); }

 private:
  // create() and act() computed on the calendars in force; they run again (after a reload) when an admin
  // changed a calendar meanwhile (calendars_unchanged()).
  boost::asio::awaitable<std::pair<Petition, bool>> create_once(NewPetition petition, Intake intake);
  boost::asio::awaitable<void> check_corrections(const std::map<std::string, std::string>& fields);
  boost::asio::awaitable<Petition> act_once(const Actor& actor, std::int64_t id, ActionRequest action);
  boost::asio::awaitable<std::pair<Attachment, bool>> record_attachment(std::int64_t id, Author author,
                                                                        Attachment attachment);
  boost::asio::awaitable<std::optional<Attachment>> stored_attachment(std::int64_t id, std::int64_t attachment_id);
  struct TextMatches {
    std::vector<std::int64_t> ids;
    bool more = false;
  };
  boost::asio::awaitable<pg::Result> by_primary_key(pg::Statement statement);
  boost::asio::awaitable<std::optional<PetitionPage>> search_words(const Actor& actor, PetitionFilter filter);
  boost::asio::awaitable<TextMatches> text_matches(const Actor& actor, const PetitionFilter& filter,
                                                   search::TextQuery query, std::size_t wanted);
  boost::asio::awaitable<Petition> write_and_read(std::vector<pg::Statement> writes, const char* field);
  // One petition's deadlines on `calendars`, if its calendar is among `changed`; true when its deadline moved.
  boost::asio::awaitable<bool> recompute_deadline(std::int64_t id, const CalendarsInForce& calendars,
                                                  const std::set<std::string>& changed);

  pg::Pool& pool_;
  const workflow::WorkflowSet& workflows_;
  CalendarBook& calendars_;
  RoutingBook& routing_;
  Clock clock_;
  // When each user last changed a petition through this process.
  void wrote(std::int64_t user_id);
  std::optional<std::chrono::steady_clock::time_point> last_write(std::int64_t user_id) const;

  const search::TextIndex* text_index_ = nullptr;
  search::IndexFreshness* freshness_ = nullptr;
  mutable std::mutex writes_mutex_;
  std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> last_writes_;
};

// Who may see a petition, over petitions `p`: not accused of anything by it, and any of the branches of the
// actor's roles. `narrow` when each branch has an index of its own (a handler's unit, co-handled and
// handed-down orders; a proxy's petitions), so that a list can read them one at a time, each stopping at the page.
struct Visibility {
  std::string not_accused;
  std::vector<std::string> any_of;
  bool narrow = false;
  std::string condition() const;
};
Visibility petition_visibility(const Actor& actor, pg::Statement& statement);
// The SQL condition (over petitions `p`) limiting rows to what `actor` may see, its parameters appended
// to `statement`: petition_visibility(...).condition().
std::string visible_petitions_condition(const Actor& actor, pg::Statement& statement);
// SQL true when the petition aliased `petition` may reach a viewer at `viewer_path` (an ltree expression,
// NULL for "any listener"): it accuses neither that unit nor one above it.
std::string not_accused(const std::string& petition, const std::string& viewer_path);

}  // namespace petitiond::store
