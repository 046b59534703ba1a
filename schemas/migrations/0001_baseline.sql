-- The schema as of the first release: tables, indexes, sequences and settings. Functions and triggers are
-- not here: each lives in schemas/functions/<name>.sql, applied after the numbered migrations. Later
-- numbered migrations hold table changes and drops only (docs/architecture.md, "Changing the schema").

-- ======== Settings ===============================================================================
-- Runtime settings an admin changes without a restart (e.g. the telephone system's CTI token).
-- schema_migrations itself is created by the migration runner before any file is applied.
CREATE TABLE settings (
  key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]*$'),
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- ======== Organisation ===========================================================================
-- Organisation tree, users and roles, sessions, API tokens, login throttling and the audit log.
CREATE EXTENSION IF NOT EXISTS ltree;

-- Units form one tree: district -> town/street -> village/community (as deep as the configuration says),
-- plus departments attached to an area unit. `path` holds the ids from the root down ("1.7.42"), so codes
-- and names can change freely and a subtree is one indexed `path <@ $1` query.
CREATE TABLE units (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind        text NOT NULL CHECK (kind IN ('area', 'department')),
  parent_id   bigint REFERENCES units (id),
  path        ltree NOT NULL,
  phone       text CHECK (length(phone) <= 40),
  calendar    text CHECK (length(calendar) <= 64),   -- working-calendar name; NULL: the parent's
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((parent_id IS NULL) = (nlevel(path) = 1)),
  CHECK (kind = 'area' OR parent_id IS NOT NULL)
);
CREATE INDEX units_path ON units USING gist (path);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login                text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9_.-]{1,63}$'),
  display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  phone                text CHECK (length(phone) <= 40),
  unit_id              bigint NOT NULL REFERENCES units (id),
  roles                text[] NOT NULL CHECK (cardinality(roles) >= 1
                         AND roles <@ ARRAY['operator', 'proxy', 'handler', 'manager', 'admin']),
  password_hash        text,   -- Argon2id (libsodium's encoded form); NULL: cannot log in with a password
  active               boolean NOT NULL DEFAULT true,
  password_changed_at  timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  email                text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 200),
  language             text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  -- The channels non-urgent messages use; urgent ones also go by SMS to whoever has a phone.
  notify_channels      text[] NOT NULL DEFAULT '{in_app}' CHECK (notify_channels <@ ARRAY['in_app', 'sms', 'email']),
  -- Local times; non-urgent SMS and e-mail wait for the end of them. Overnight when from > until.
  quiet_from           time,
  quiet_until          time,
  CONSTRAINT users_quiet_hours
    CHECK ((quiet_from IS NULL) = (quiet_until IS NULL) AND (quiet_from IS NULL OR quiet_from <> quiet_until))
);
CREATE INDEX users_unit ON users (unit_id);

-- Browser sessions. Only a SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
  token_hash    bytea PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id),
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,   -- absolute expiry
  address       inet
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Tokens for machine clients (telephone system, portal, integrations): act as their user, limited to scopes.
CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash    bytea NOT NULL UNIQUE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  user_id       bigint NOT NULL REFERENCES users (id),
  scopes        text[] NOT NULL CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['read', 'write', 'cti', 'portal']),
  created_by    bigint NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Failed log-ins per account and per address, for throttling (shared by every petitiond process).
CREATE TABLE login_failures (
  key           text PRIMARY KEY,   -- 'login:<name>' or 'address:<ip>'
  failures      integer NOT NULL,
  window_start  timestamptz NOT NULL
);

-- Addresses an account logged in from successfully: attempts from them are not held against the
-- account's ceiling, so strangers guessing from elsewhere cannot lock its owner out.
CREATE TABLE login_known_addresses (
  login    text NOT NULL,
  address  text NOT NULL,
  last_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (login, address)
);

-- Append-only record of security-relevant events and configuration changes.
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  action       text NOT NULL,
  actor_id     bigint REFERENCES users (id),
  actor_login  text,
  target_type  text,
  target_id    text,
  address      inet,
  request_id   text,
  details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at DESC);

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Names of the area levels by depth (1 = district); an admin may rename them or add a level.
INSERT INTO settings (key, value) VALUES
  ('units.level_names', '[{"zh": "区", "en": "district"}, {"zh": "镇（街道）", "en": "town/street"},
                          {"zh": "村（社区）", "en": "village/community"}]')
ON CONFLICT (key) DO NOTHING;

-- ======== Petitions ==============================================================================
-- Petitions and what hangs on them: petitioners, the timeline, deadline clocks, the outbox, attachments,
-- telephone calls and idempotency keys. Petition ids are reserved by the server (nextval) before the one
-- write transaction that registers a petition, so every row of it is written in one round trip.

-- The person a matter is about. Staff intake reuses the petitioner with the same ID number; the public
-- portal always adds a new, self-reported row, so nobody can change a known person's data from outside.
CREATE TABLE petitioners (
  id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name                text CHECK (length(name) <= 50),
  gender              text CHECK (gender IN ('male', 'female')),
  id_number           text CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
  phone               text CHECK (length(phone) <= 40),
  phone_key           text CHECK (phone_key ~ '^[0-9]{3,20}$'),   -- normalised for matching callers
  certificate_number  text CHECK (certificate_number ~ '^[0-9]{17}[0-9X][1-7][1-4]$'),
  disability_type     smallint CHECK (disability_type BETWEEN 1 AND 7),
  disability_grade    smallint CHECK (disability_grade BETWEEN 1 AND 4),
  address             text CHECK (length(address) <= 200),
  unit_id             bigint REFERENCES units (id),                -- the village/community (or town) lived in
  self_reported       boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  email               text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 200),
  language            text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  contact_consent     boolean NOT NULL DEFAULT true,
  -- 'phone': call, don't text (for blind petitioners); 'none': no messages.
  preferred_channel   text NOT NULL DEFAULT 'sms' CHECK (preferred_channel IN ('sms', 'email', 'phone', 'none'))
);
CREATE INDEX petitioners_id_number ON petitioners (id_number) WHERE id_number IS NOT NULL;
CREATE INDEX petitioners_phone_key ON petitioners (phone_key) WHERE phone_key IS NOT NULL;

CREATE TABLE petitions (
  id                   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  tracking_code        text NOT NULL UNIQUE   -- 60 random bits in three groups (older six-character codes stay valid)
                         CHECK (tracking_code ~ '^[0-9]{8}-([0-9A-Z]{6}|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$'),
  channel              text NOT NULL CHECK (channel IN ('hotline', 'web', 'walk_in', 'letter')),
  workflow             text NOT NULL,
  workflow_version     integer NOT NULL,
  type                 text NOT NULL,
  category             text NOT NULL,
  urgency              text NOT NULL,
  subject              text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  content              text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
  state                text NOT NULL,
  version              integer NOT NULL DEFAULT 1,            -- optimistic concurrency: +1 per action
  petitioner_id        bigint NOT NULL REFERENCES petitioners (id),
  anonymous            boolean NOT NULL DEFAULT false,        -- name and contact hidden from handling units
  filed_by             bigint REFERENCES users (id),          -- NULL: the public portal
  intake_unit_id       bigint NOT NULL REFERENCES units (id), -- registers, accepts and dispatches it
  responsible_unit_id  bigint REFERENCES units (id),
  co_unit_ids          bigint[] NOT NULL DEFAULT '{}',
  complaint_object     text CHECK (length(complaint_object) <= 200),
  complained_unit_ids  bigint[] NOT NULL DEFAULT '{}',       -- never routed to, shown to or told
  proxy_user_id        bigint REFERENCES users (id),
  proxy_name           text CHECK (length(proxy_name) <= 50),
  proxy_relation       text CHECK (length(proxy_relation) <= 50),
  proxy_phone          text CHECK (length(proxy_phone) <= 40),
  consent_method       text CHECK (consent_method IN ('written', 'verbal', 'recorded_call', 'electronic')),
  consent_at           timestamptz,
  group_size           integer NOT NULL DEFAULT 1 CHECK (group_size BETWEEN 1 AND 10000),
  representatives      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_array_length(representatives) <= 5),
  parent_id            bigint REFERENCES petitions (id),      -- merged into this one
  repeat_of            bigint REFERENCES petitions (id),      -- flagged at intake as a likely repeat of it
  repeat_count         integer NOT NULL DEFAULT 0,            -- repeats merged into this one
  chase_count          integer NOT NULL DEFAULT 0,            -- follow-up calls and visits
  requested_extension  integer NOT NULL DEFAULT 0,
  due_at               timestamptz,                           -- the nearest running obligation's deadline
  warn_at              timestamptz,
  reply_outcome        text,
  satisfaction         text,
  received_at          timestamptz NOT NULL,
  accepted_at          timestamptz,
  dispatched_at        timestamptz,
  replied_at           timestamptz,
  closed_at            timestamptz,
  updated_at           timestamptz NOT NULL,
  search_bigrams       text[] NOT NULL DEFAULT '{}',          -- character bigrams of subject and content
  -- What escalation did to it, for the handlers' screens and the managers' reports.
  reminders            integer NOT NULL DEFAULT 0,
  supervisions         integer NOT NULL DEFAULT 0,
  supervised_by_unit_id bigint REFERENCES units (id),
  criticised_at        timestamptz,
  -- The lateness class it is counted under in "overdue now" (see overdue_tally).
  overdue_class        smallint NOT NULL DEFAULT 0 CHECK (overdue_class BETWEEN 0 AND 4),
  -- The petitioner as a proxy described them, when the filing matched a person already on record: the
  -- petition is linked to that person, whose stored details the proxy is neither shown nor allowed to change.
  petitioner_given     jsonb,
  CHECK (consent_method IS NULL OR consent_at IS NOT NULL)
);
CREATE INDEX petitions_received ON petitions (received_at DESC, id DESC);
-- "Overdue now" and the deadline scan read the unit, category and channel from the index alone.
CREATE INDEX petitions_due ON petitions (due_at, id)
  INCLUDE (responsible_unit_id, intake_unit_id, category, channel) WHERE due_at IS NOT NULL;
CREATE INDEX petitions_responsible ON petitions (responsible_unit_id, due_at, id);
CREATE INDEX petitions_intake ON petitions (intake_unit_id, received_at DESC);
CREATE INDEX petitions_petitioner ON petitions (petitioner_id, received_at DESC);
CREATE INDEX petitions_proxy ON petitions (proxy_user_id) WHERE proxy_user_id IS NOT NULL;
CREATE INDEX petitions_filed_by ON petitions (filed_by, received_at DESC) WHERE filed_by IS NOT NULL;
CREATE INDEX petitions_parent ON petitions (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX petitions_search ON petitions USING gin (search_bigrams);

-- The append-only timeline of a petition.
CREATE TABLE petition_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  petition_id  bigint NOT NULL REFERENCES petitions (id),
  at           timestamptz NOT NULL,
  actor_id     bigint REFERENCES users (id),
  actor_name   text NOT NULL,                  -- a user's display name, or 系统 / 网上信访 / 12385 热线
  action       text NOT NULL,                  -- registered, a transition name, call_attached, proxy_granted, …
  from_state   text,
  to_state     text,
  fields       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX petition_events_petition ON petition_events (petition_id, id);

-- Every deadline clock a petition has run (a clock that restarts gets a new row). The running ones are
-- what the deadline scheduler watches.
CREATE TABLE petition_clocks (
  petition_id  bigint NOT NULL REFERENCES petitions (id),
  seq          smallint NOT NULL,
  name         text NOT NULL,
  started_at   timestamptz NOT NULL,
  unit         text NOT NULL CHECK (unit IN ('calendar_days', 'working_days', 'working_hours')),
  amount       integer NOT NULL,
  extension    integer NOT NULL DEFAULT 0,
  pauses       jsonb NOT NULL DEFAULT '[]',    -- [{"from": epoch seconds, "until": epoch seconds | null}]
  stopped_at   timestamptz,
  deadline     timestamptz,                    -- NULL while paused or stopped
  warn_at      timestamptz,
  is_window    boolean NOT NULL DEFAULT false, -- a window for the petitioner, not a unit's obligation
  fired        text[] NOT NULL DEFAULT '{}',   -- escalation points already fired
  PRIMARY KEY (petition_id, seq)
);
CREATE INDEX petition_clocks_running ON petition_clocks (deadline) WHERE stopped_at IS NULL AND deadline IS NOT NULL;

-- Messages caused by a change, written in the change's transaction; delivered by the dispatcher.
CREATE TABLE outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at       timestamptz NOT NULL DEFAULT now(),
  petition_id      bigint REFERENCES petitions (id),
  audience         text NOT NULL,   -- petitioner, handlers, managers, district_managers, operators, …
  topic            text NOT NULL,   -- the transition or event that caused it
  payload          jsonb NOT NULL DEFAULT '{}',
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'expanded', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  last_error       text
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';

CREATE TABLE attachments (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  petition_id   bigint NOT NULL REFERENCES petitions (id),
  file_name     text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by   bigint REFERENCES users (id),
  uploaded_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (petition_id, sha256)   -- the same file twice (a retried upload) is one attachment
);

-- Telephone calls reported by the telephone system (Zammad-compatible generic CTI).
CREATE TABLE calls (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id           text NOT NULL UNIQUE CHECK (length(call_id) BETWEEN 1 AND 200),
  direction         text NOT NULL CHECK (direction IN ('in', 'out')),
  from_number       text NOT NULL,
  from_key          text,
  to_number         text NOT NULL,
  to_key            text,
  queue             text,
  users             text[] NOT NULL DEFAULT '{}',
  answering_number  text,
  answered_by       bigint REFERENCES users (id),
  cause             text,
  rejected          boolean NOT NULL DEFAULT false,
  started_at        timestamptz NOT NULL DEFAULT now(),
  answered_at       timestamptz,
  ended_at          timestamptz,
  petition_id       bigint REFERENCES petitions (id)
);
CREATE INDEX calls_from_key ON calls (from_key, started_at DESC);
CREATE INDEX calls_started ON calls (started_at DESC);
-- A caller's history lists callbacks to the number as well as calls from it.
CREATE INDEX calls_to_key ON calls (to_key, started_at DESC) WHERE direction = 'out';

-- Callers the telephone system is told to reject (busy).
CREATE TABLE blocked_callers (
  phone_key   text PRIMARY KEY CHECK (phone_key ~ '^[0-9]{3,20}$'),
  reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  created_by  bigint REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A create retried with the same Idempotency-Key returns the first result instead of a second petition.
CREATE TABLE idempotency_keys (
  scope         text NOT NULL,   -- 'user:<id>' or 'portal'
  key           text NOT NULL,
  request_hash  text NOT NULL,
  petition_id   bigint NOT NULL REFERENCES petitions (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Fixed-window counters for public endpoints (portal submissions and status look-ups, per address).
CREATE TABLE rate_counters (
  key           text PRIMARY KEY,
  hits          integer NOT NULL,
  window_start  timestamptz NOT NULL
);

INSERT INTO settings (key, value) VALUES
  ('petitions.repeat_window_days', '90'),
  ('portal.rate_limit', '{"submissions": 5, "lookups": 30, "per_minutes": 60}'),
  ('portal.intake_unit', 'null'),
  ('routing.functions', '{}')
ON CONFLICT (key) DO NOTHING;

-- ======== Escalation =============================================================================
-- The points at which a petition's running clocks escalate (a warning, a breach, some days after it), one
-- row per clock and rule, written with every change to the petition. The deadline scheduler fires each
-- once: one statement claims due rows (SKIP LOCKED), marks them fired and writes their consequences, so
-- several petitiond processes never fire one twice and a crash between claim and effect loses nothing.
CREATE TABLE escalation_points (
  petition_id  bigint NOT NULL REFERENCES petitions (id),
  clock_seq    smallint NOT NULL,
  rule_index   integer NOT NULL,          -- the rule's position in the petition's workflow definition
  clock        text NOT NULL,
  due_at       timestamptz NOT NULL,
  actions      jsonb NOT NULL,            -- [["remind", "responsible"], ["notify", "parent_managers"], …]
  fired_at     timestamptz,
  fired_by     text,                      -- the process that fired it
  PRIMARY KEY (petition_id, clock_seq, rule_index)
);
CREATE INDEX escalation_points_due ON escalation_points (due_at) WHERE fired_at IS NULL;

-- ======== Reports ================================================================================
-- The managers' reports (docs/reports.md). Every counted event becomes a fact (an immutable row naming
-- the measure, the unit it counts for and where that unit sat in the tree then) written in the same
-- transaction as the change; a queue lists the facts not yet added into the rollups, and the deadline
-- scheduler folds them in batches (SKIP LOCKED, so any number of processes may). Rollups hold the sums per
-- scope unit (the unit and each of its ancestors, so a subtree's figure is one row), dimension, and day,
-- month and year. The fold is one pipeline over any set of facts (add_report_facts): the queued ones, or
-- every fact a month at a time for a rebuild.

CREATE TABLE report_facts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  petition_id  bigint NOT NULL,            -- written with its petition, which is never deleted
  at           timestamptz NOT NULL,
  day          date NOT NULL,              -- local (UTC+8) date of `at`
  unit_id      bigint NOT NULL,
  unit_path    ltree NOT NULL,             -- the unit's place in the tree when it happened
  level        text NOT NULL,
  category     text NOT NULL,
  channel      text NOT NULL,
  measure      text NOT NULL,              -- received, repeat, a transition's `report`, reminded, escalated_to_town, …
  on_time      boolean,
  value        double precision,           -- replied: working days taken; satisfaction: 5 (best) … 1
  bucket       smallint                    -- replied: the handling-time histogram bucket
);
CREATE INDEX report_facts_drill ON report_facts (measure, day DESC, id DESC);
-- Facts arrive in time order, so a block-range index finds a month's facts for a few kilobytes.
CREATE INDEX report_facts_day ON report_facts USING brin (day);

CREATE TABLE report_fact_queue (fact_id bigint PRIMARY KEY);

-- The sums per unit subtree, dimension and period. A report over five years reads about nine rows per unit
-- and dimension value: whole years, and ends taken as a month or year less its rest (workflow::cover_period).
CREATE TABLE report_rollups (
  scope_unit_id  bigint NOT NULL,   -- the figures are for this unit's whole subtree
  dimension      text NOT NULL CHECK (dimension IN ('all', 'level', 'category', 'channel')),
  grain          "char" NOT NULL CHECK (grain IN ('d', 'm', 'y')),
  period_start   date NOT NULL,
  value          text NOT NULL,     -- the level, category or channel; '' for 'all'
  received bigint NOT NULL DEFAULT 0,
  repeats bigint NOT NULL DEFAULT 0,
  accepted bigint NOT NULL DEFAULT 0,
  not_accepted bigint NOT NULL DEFAULT 0,
  dispatched bigint NOT NULL DEFAULT 0,
  signed_for bigint NOT NULL DEFAULT 0,
  signed_on_time bigint NOT NULL DEFAULT 0,
  returned bigint NOT NULL DEFAULT 0,
  extended bigint NOT NULL DEFAULT 0,
  replied bigint NOT NULL DEFAULT 0,
  replied_on_time bigint NOT NULL DEFAULT 0,
  handling_days double precision NOT NULL DEFAULT 0,
  h0 bigint NOT NULL DEFAULT 0,
  h1 bigint NOT NULL DEFAULT 0,
  h2 bigint NOT NULL DEFAULT 0,
  h3 bigint NOT NULL DEFAULT 0,
  h4 bigint NOT NULL DEFAULT 0,
  h5 bigint NOT NULL DEFAULT 0,
  h6 bigint NOT NULL DEFAULT 0,
  h7 bigint NOT NULL DEFAULT 0,
  h8 bigint NOT NULL DEFAULT 0,
  h9 bigint NOT NULL DEFAULT 0,
  h10 bigint NOT NULL DEFAULT 0,
  h11 bigint NOT NULL DEFAULT 0,
  h12 bigint NOT NULL DEFAULT 0,
  h13 bigint NOT NULL DEFAULT 0,
  sat1 bigint NOT NULL DEFAULT 0,
  sat2 bigint NOT NULL DEFAULT 0,
  sat3 bigint NOT NULL DEFAULT 0,
  sat4 bigint NOT NULL DEFAULT 0,
  sat5 bigint NOT NULL DEFAULT 0,
  redone bigint NOT NULL DEFAULT 0,
  reminded bigint NOT NULL DEFAULT 0,
  supervised bigint NOT NULL DEFAULT 0,
  escalated_to_district bigint NOT NULL DEFAULT 0,
  escalated_to_department bigint NOT NULL DEFAULT 0,
  escalated_to_town bigint NOT NULL DEFAULT 0,
  escalated_to_village bigint NOT NULL DEFAULT 0,
  criticised bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (scope_unit_id, dimension, grain, period_start, value)
);

-- ======== Notifications ==========================================================================
-- Notifications. An outbox row says what happened and to whom in general (an audience, such as the
-- petitioner or the handling unit's handlers). The dispatcher expands it, in one transaction, into
-- deliveries: one per recipient and channel, with the address to use. Deliveries are then sent one by one,
-- at least once, with a stable idempotency key, retried with back-off, and parked as dead letters after
-- too many failures.

-- Systems told of every message of some topics (JSON POST, signed with the secret).
CREATE TABLE webhooks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  url         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 500),
  secret      text NOT NULL CHECK (length(secret) >= 16),
  topics      text[] NOT NULL DEFAULT '{}',    -- empty: every topic
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id        bigint NOT NULL REFERENCES outbox (id),
  recipient        text NOT NULL,               -- user:12, petitioner:34, webhook:5
  user_id          bigint REFERENCES users (id),
  channel          text NOT NULL CHECK (channel IN ('sms', 'email', 'webhook', 'in_app')),
  address          text,                        -- phone number, e-mail address or URL; none for in-app
  language         text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  topic            text NOT NULL,
  payload          jsonb NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),  -- also the lease of a claimed delivery
  last_error       text,
  sent_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (outbox_id, recipient, channel)
);
-- Deliveries for a channel nobody set up wait unattempted: the dispatcher asks per configured channel.
CREATE INDEX notification_deliveries_due ON notification_deliveries (channel, next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_dead ON notification_deliveries (id DESC) WHERE state = 'dead';

-- Who hears what, and how (docs/notifications.md): e-mail addresses; staff choose their channels and quiet
-- hours; petitioners consent (or not), choose SMS, e-mail, a telephone call instead of text ("call, don't
-- text", for blind petitioners) or nothing, and a language. Messages to staff carry masked personal data.
-- Managers get a daily e-mail digest of what is overdue and what was escalated in their subtree.

-- The days a digest was made, so that each day's is made once by whichever process comes first.
CREATE TABLE digest_days (day date PRIMARY KEY, made_at timestamptz NOT NULL DEFAULT now());

-- ======== Working calendars ======================================================================
-- Working calendars edited in the app. A row sets one year of a calendar (its official rest days and
-- make-up working days), in place of what the calendar files give for that year. Every change takes a new
-- revision; the deadlines of running clocks are then recomputed by whichever process claims the work
-- (a lease, so that one that dies leaves it to another), and the row records the revision done.
CREATE SEQUENCE calendar_revisions;

CREATE TABLE calendar_years (
  calendar                text NOT NULL,
  year                    integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  rest_days               date[] NOT NULL,
  working_days            date[] NOT NULL,
  revision                bigint NOT NULL DEFAULT nextval('calendar_revisions'),
  changed_at              timestamptz NOT NULL,
  changed_by              text NOT NULL,
  recomputed_revision     bigint,       -- the revision whose deadlines have been recomputed
  recomputed_petitions    integer,      -- how many petitions' deadlines that moved
  recompute_lease_until   timestamptz,  -- a process recomputing holds the work until then
  PRIMARY KEY (calendar, year)
);

-- ======== Overdue now ============================================================================
-- "Overdue now" kept as counts instead of counted per report. Counting the overdue petitions of a district
-- (tens of thousands at 10 M petitions) with how long each is late took ~75 ms per report; the counts here
-- are a few rows per unit, like the rollups.
--
-- Each petition carries the lateness class it is counted under: 0 not overdue, 1 up to a day, 2 one to three
-- days, 3 three to seven, 4 more than seven. The deadline scheduler moves petitions whose class time has
-- changed (reclass_overdue); a changed deadline puts a petition back to 0 until the next pass; every change of
-- a counted petition (class, unit, category, channel, its unit's place in the tree) appends to
-- overdue_changes, and fold_overdue_changes adds those into overdue_tally for the unit and every ancestor,
-- per dimension, as fold_report_facts does for the facts. Reports therefore lag by at most one pass.

-- Finds the petitions whose class is behind (or, after the clock went back, ahead of) the time.
CREATE INDEX petitions_overdue_class ON petitions (overdue_class, due_at) WHERE due_at IS NOT NULL;
-- The counted petitions of a unit, oldest deadline first: the longest overdue of a scope when its oldest
-- petition stops being counted.
CREATE INDEX petitions_overdue_unit ON petitions (coalesce(responsible_unit_id, intake_unit_id), overdue_class, due_at)
  INCLUDE (category, channel) WHERE overdue_class > 0;

CREATE TABLE overdue_changes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_path  ltree NOT NULL,     -- the petition's unit (responsible, else intake) and where it sat then
  level      text NOT NULL,
  category   text NOT NULL,
  channel    text NOT NULL,
  class      smallint NOT NULL CHECK (class BETWEEN 1 AND 4),
  due_at     timestamptz NOT NULL,
  delta      smallint NOT NULL CHECK (delta IN (-1, 1))
);

CREATE TABLE overdue_tally (
  scope_unit_id  bigint NOT NULL,   -- the unit's whole subtree
  dimension      text NOT NULL CHECK (dimension IN ('all', 'level', 'category', 'channel')),
  value          text NOT NULL,     -- '' for 'all'
  class          smallint NOT NULL CHECK (class BETWEEN 1 AND 4),
  n              bigint NOT NULL,
  oldest_due     timestamptz,       -- the earliest deadline among them (NULL when n = 0)
  PRIMARY KEY (scope_unit_id, dimension, value, class)
);
