-- Organisation tree, users and roles, sessions, API tokens, login throttling and the audit log.
CREATE EXTENSION IF NOT EXISTS ltree;

-- Fails the transaction when a change found nothing to change, so that nothing else in it (its audit
-- row, say) is kept. Used as: WITH changed AS (UPDATE … RETURNING 1) SELECT expect_row(count(*) > 0, '…') FROM changed.
CREATE FUNCTION expect_row(present boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT present THEN
    RAISE EXCEPTION '%', what USING ERRCODE = 'no_data_found';
  END IF;
END $$;

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

-- The database keeps `path` right whoever writes: set from the parent on insert and on a move, and a
-- move carries the whole subtree along.
CREATE FUNCTION units_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_path ltree;
  parent_kind text;
BEGIN
  IF NEW.parent_id IS NULL THEN
    IF NEW.kind <> 'area' THEN
      RAISE EXCEPTION 'a department must belong to a unit' USING ERRCODE = 'check_violation';
    END IF;
    NEW.path := text2ltree(NEW.id::text);
    RETURN NEW;
  END IF;
  SELECT path, kind INTO parent_path, parent_kind FROM units WHERE id = NEW.parent_id;
  IF TG_OP = 'UPDATE' AND parent_path <@ OLD.path THEN
    RAISE EXCEPTION 'a unit cannot move under itself or one of its sub-units' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.kind = 'area' AND parent_kind <> 'area' THEN
    RAISE EXCEPTION 'an area unit (town, village) must belong to an area unit' USING ERRCODE = 'check_violation';
  END IF;
  NEW.path := parent_path || text2ltree(NEW.id::text);
  RETURN NEW;
END $$;
CREATE TRIGGER units_place BEFORE INSERT OR UPDATE OF parent_id ON units
  FOR EACH ROW EXECUTE FUNCTION units_place();

CREATE FUNCTION units_move_subtree() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.path <> OLD.path THEN
    UPDATE units SET path = NEW.path || subpath(path, nlevel(OLD.path)), updated_at = now()
     WHERE path <@ OLD.path AND id <> NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER units_move_subtree AFTER UPDATE OF parent_id ON units
  FOR EACH ROW EXECUTE FUNCTION units_move_subtree();

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
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_unit ON users (unit_id);

-- A unit is deactivated only once nothing active hangs off it.
CREATE FUNCTION units_check_deactivation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.active AND NOT NEW.active AND (
       EXISTS (SELECT 1 FROM units WHERE parent_id = NEW.id AND active)
    OR EXISTS (SELECT 1 FROM users WHERE unit_id = NEW.id AND active)) THEN
    RAISE EXCEPTION 'the unit still has active sub-units or users' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER units_check_deactivation BEFORE UPDATE OF active ON units
  FOR EACH ROW EXECUTE FUNCTION units_check_deactivation();

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

-- No role, however privileged, changes or removes audit rows through SQL.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Names of the area levels by depth (1 = district); an admin may rename them or add a level.
INSERT INTO settings (key, value) VALUES
  ('units.level_names', '[{"zh": "区", "en": "district"}, {"zh": "镇（街道）", "en": "town/street"},
                          {"zh": "村（社区）", "en": "village/community"}]')
ON CONFLICT (key) DO NOTHING;
