-- Who may never learn of a petition: anyone whose unit is, or lies under, a unit the petition complains
-- about (信访工作条例 Art 30, 46: accusation material is never passed to the accused). This is the one
-- definition; every path that lets information out asks it (petition reads and lists, reports' drill-downs
-- and their exports, caller histories pushed or fetched, notification audiences, the managers' digest).
-- A NULL viewer stands for "whoever listens" (a push to every operator): then any accusation is withheld.
CREATE FUNCTION accuses(complained bigint[], viewer ltree) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT cardinality(complained) > 0
         AND (viewer IS NULL OR EXISTS (SELECT 1 FROM units c WHERE c.id = ANY (complained) AND viewer <@ c.path))
$$;

CREATE OR REPLACE FUNCTION audience_users(petition petitions, audience text) RETURNS SETOF users LANGUAGE sql STABLE AS $$
  WITH responsible AS (
    SELECT u.* FROM units u WHERE u.id = coalesce(petition.responsible_unit_id, petition.intake_unit_id)
  ), wanted AS (
    SELECT us.* FROM users us, responsible r
    WHERE us.active AND CASE audience
      WHEN 'handlers' THEN 'handler' = ANY (us.roles)
                           AND (us.unit_id = r.id OR us.unit_id = ANY (petition.co_unit_ids))
      WHEN 'parent_handlers' THEN 'handler' = ANY (us.roles) AND us.unit_id = r.parent_id
      WHEN 'managers' THEN 'manager' = ANY (us.roles) AND us.unit_id IN (r.id, r.parent_id)
      WHEN 'parent_managers' THEN 'manager' = ANY (us.roles) AND us.unit_id = r.parent_id
      WHEN 'district_managers' THEN 'manager' = ANY (us.roles)
                                    AND us.unit_id = (SELECT d.id FROM units d WHERE d.path = subltree(r.path, 0, 1))
      WHEN 'operators' THEN 'operator' = ANY (us.roles)
                            AND (us.id = petition.filed_by OR us.unit_id = petition.intake_unit_id)
      ELSE false END
  )
  SELECT w.* FROM wanted w JOIN units wu ON wu.id = w.unit_id
  WHERE NOT accuses(petition.complained_unit_ids, wu.path)
$$;

-- queue_daily_digests (0008), now leaving out of each manager's lists what accuses the manager's unit.
CREATE OR REPLACE FUNCTION queue_daily_digests(now timestamptz, hour integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  today date := local_date(now);
  queued integer;
BEGIN
  IF hour NOT BETWEEN 0 AND 23 OR extract(hour FROM now AT TIME ZONE 'UTC' + interval '8 hours') < hour THEN
    RETURN 0;
  END IF;
  IF EXISTS (SELECT 1 FROM digest_days WHERE day = today) THEN
    RETURN 0;
  END IF;
  INSERT INTO digest_days (day) VALUES (today) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  INSERT INTO outbox (petition_id, audience, topic, payload)
  SELECT NULL, 'user:' || m.id, 'daily_digest', jsonb_build_object(
           'date', today::text,
           'overdue_count', o.n, 'overdue_list', coalesce(o.list, '—'),
           'escalated_count', e.n, 'escalated_list', coalesce(e.list, '—'))
  FROM users m
  JOIN units mu ON mu.id = m.unit_id
  CROSS JOIN LATERAL (
    SELECT count(*) AS n, string_agg(x.line, E'\n' ORDER BY x.due_at) FILTER (WHERE x.rank <= 20) AS list
    FROM (SELECT p.due_at, row_number() OVER (ORDER BY p.due_at) AS rank,
                 p.tracking_code || '  ' || u.name || '  ' || left(p.subject, 30) || '  ' || iso_local(p.due_at) AS line
          FROM petitions p JOIN units u ON u.id = coalesce(p.responsible_unit_id, p.intake_unit_id)
          WHERE p.due_at <= now AND u.path <@ mu.path AND NOT accuses(p.complained_unit_ids, mu.path)) x) o
  CROSS JOIN LATERAL (
    SELECT count(*) AS n, string_agg(x.line, E'\n' ORDER BY x.at) FILTER (WHERE x.rank <= 20) AS list
    FROM (SELECT y.at, row_number() OVER (ORDER BY y.at) AS rank, y.line
          -- One line per escalation, however many facts (supervised, escalated_to_town) it counted as.
          FROM (SELECT DISTINCT ON (f.petition_id, f.at) f.at,
                       p.tracking_code || '  ' || u.name || '  ' || iso_local(f.at) AS line
                FROM report_facts f JOIN petitions p ON p.id = f.petition_id JOIN units u ON u.id = f.unit_id
                WHERE f.measure IN ('supervised', 'escalated_to_district', 'escalated_to_department', 'escalated_to_town',
                                    'escalated_to_village', 'criticised')
                  AND f.day >= today - 1 AND f.at > now - interval '1 day' AND f.unit_path <@ mu.path
                  AND NOT accuses(p.complained_unit_ids, mu.path)
                ORDER BY f.petition_id, f.at) y) x) e
  WHERE m.active AND 'manager' = ANY (m.roles) AND m.email IS NOT NULL;
  GET DIAGNOSTICS queued = ROW_COUNT;
  RETURN queued;
END $$;

-- A caller's history lists callbacks to the number as well as calls from it.
CREATE INDEX calls_to_key ON calls (to_key, started_at DESC) WHERE direction = 'out';

-- The petitioner as a proxy described them, when the filing matched a person already on record: the petition
-- is linked to that person, whose stored details the proxy is neither shown nor allowed to change.
ALTER TABLE petitions ADD COLUMN petitioner_given jsonb;

-- Tracking codes of 60 random bits in three groups (the six-character codes already given stay valid).
ALTER TABLE petitions DROP CONSTRAINT petitions_tracking_code_check;
ALTER TABLE petitions ADD CONSTRAINT petitions_tracking_code_check
  CHECK (tracking_code ~ '^[0-9]{8}-([0-9A-Z]{6}|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$');

-- Log-in and password attempts are reserved before the password is verified, so that concurrent guesses
-- cannot all pass a check made before any of them failed. Each key (an account from one address, an
-- address, an account from anywhere) has its own limit and window; an attempt is let through only when
-- every key is under its limit, and then counts against all of them. The rows are locked in key order,
-- so concurrent attempts on the same key take turns. Returns whether the attempt may go ahead.
CREATE FUNCTION reserve_attempt(keys text[], limits integer[], windows float8[]) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  used integer;
BEGIN
  INSERT INTO login_failures (key, failures, window_start)
  SELECT k, 0, now() FROM unnest(keys) k ON CONFLICT (key) DO NOTHING;
  PERFORM 1 FROM login_failures WHERE key = ANY (keys) ORDER BY key FOR UPDATE;
  FOR i IN 1 .. cardinality(keys) LOOP
    SELECT CASE WHEN window_start > now() - make_interval(secs => windows[i]) THEN failures ELSE 0 END
      INTO used FROM login_failures WHERE key = keys[i];
    IF used >= limits[i] THEN
      RETURN false;
    END IF;
  END LOOP;
  FOR i IN 1 .. cardinality(keys) LOOP
    UPDATE login_failures SET
      failures = CASE WHEN window_start > now() - make_interval(secs => windows[i]) THEN failures + 1 ELSE 1 END,
      window_start = CASE WHEN window_start > now() - make_interval(secs => windows[i]) THEN window_start ELSE now() END
    WHERE key = keys[i];
  END LOOP;
  RETURN true;
END $$;

-- Addresses an account logged in from successfully: attempts from them are not held against the
-- account's ceiling, so strangers guessing from elsewhere cannot lock its owner out.
CREATE TABLE login_known_addresses (
  login    text NOT NULL,
  address  text NOT NULL,
  last_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (login, address)
);

-- The channels deliveries can go out on now: in-app and webhooks always, SMS once a gateway is set, e-mail
-- once an SMTP server is. Deliveries for any other wait, unattempted, until an admin sets it up, instead of
-- failing over and over.
CREATE FUNCTION configured_channels() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY['in_app', 'webhook']
         || CASE WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'sms.gateway' AND jsonb_typeof(value->'url') = 'string')
                 THEN ARRAY['sms'] ELSE '{}' END
         || CASE WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'smtp' AND jsonb_typeof(value) = 'object')
                 THEN ARRAY['email'] ELSE '{}' END
$$;
DROP INDEX notification_deliveries_due;
CREATE INDEX notification_deliveries_due ON notification_deliveries (channel, next_attempt_at) WHERE state = 'pending';
