-- Who hears what, and how (docs/notifications.md): e-mail addresses; staff choose their channels and quiet
-- hours; petitioners consent (or not), choose SMS, e-mail, a telephone call instead of text ("call, don't
-- text", for blind petitioners) or nothing, and a language. Messages to staff carry masked personal data.
-- Managers get a daily e-mail digest of what is overdue and what was escalated in their subtree.

ALTER TABLE users
  ADD COLUMN email text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 200),
  ADD COLUMN language text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  -- The channels non-urgent messages use; urgent ones also go by SMS to whoever has a phone.
  ADD COLUMN notify_channels text[] NOT NULL DEFAULT '{in_app}'
    CHECK (notify_channels <@ ARRAY['in_app', 'sms', 'email']),
  -- Local times; non-urgent SMS and e-mail wait for the end of them. Overnight when from > until.
  ADD COLUMN quiet_from time,
  ADD COLUMN quiet_until time,
  ADD CONSTRAINT users_quiet_hours CHECK ((quiet_from IS NULL) = (quiet_until IS NULL) AND (quiet_from IS NULL OR quiet_from <> quiet_until));

ALTER TABLE petitioners
  ADD COLUMN email text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 200),
  ADD COLUMN language text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  ADD COLUMN contact_consent boolean NOT NULL DEFAULT true,
  ADD COLUMN preferred_channel text NOT NULL DEFAULT 'sms' CHECK (preferred_channel IN ('sms', 'email', 'phone', 'none'));

-- The end of the quiet hours `at` falls in, or `at` itself when it falls in none. (A date plus a time is a
-- local timestamp; eight hours earlier it is UTC.)
CREATE FUNCTION after_quiet_hours(at timestamptz, quiet_from time, quiet_until time) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN quiet_from IS NULL THEN at
    WHEN quiet_from < quiet_until AND local.t >= quiet_from AND local.t < quiet_until
      THEN ((local.d + quiet_until) - interval '8 hours') AT TIME ZONE 'UTC'
    WHEN quiet_from > quiet_until AND local.t >= quiet_from
      THEN ((local.d + 1 + quiet_until) - interval '8 hours') AT TIME ZONE 'UTC'
    WHEN quiet_from > quiet_until AND local.t < quiet_until
      THEN ((local.d + quiet_until) - interval '8 hours') AT TIME ZONE 'UTC'
    ELSE at END
  FROM (SELECT (at AT TIME ZONE 'UTC' + interval '8 hours')::time AS t,
               (at AT TIME ZONE 'UTC' + interval '8 hours')::date AS d) AS local
$$;

CREATE FUNCTION mask_name(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN name IS NULL OR name = '' THEN NULL ELSE left(name, 1) || repeat('*', greatest(length(name) - 1, 1)) END
$$;

-- What staff messages say about the petition: its subject and the petitioner, masked.
CREATE FUNCTION staff_message_values(petition petitions) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'subject', petition.subject,
    'petitioner', CASE WHEN petition.anonymous THEN '匿名' ELSE coalesce(mask_name(pr.name), '—') END)
  FROM (SELECT NULL) AS one LEFT JOIN petitioners pr ON pr.id = petition.petitioner_id
$$;

-- Expands up to `batch` pending outbox rows into deliveries; returns how many rows it expanded. `urgent`:
-- the topics that reach staff by SMS whatever their choices, and through their quiet hours.
DROP FUNCTION expand_outbox(integer);
CREATE FUNCTION expand_outbox(batch integer, urgent text[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  message record;
  petition petitions;
  petitioner petitioners;
  channel text;
  address text;
  expanded integer := 0;
BEGIN
  FOR message IN
    SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= now()
    ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED
  LOOP
    SELECT * INTO petition FROM petitions WHERE id = message.petition_id;
    IF message.audience = 'petitioner' THEN
      -- The channel the petitioner chose, or the other address they left; nothing without consent, when
      -- they asked to be called instead, or when (anonymous) they left no contact.
      SELECT * INTO petitioner FROM petitioners WHERE id = petition.petitioner_id;
      channel := NULL;
      IF petitioner.contact_consent AND petitioner.preferred_channel IN ('sms', 'email') THEN
        IF petitioner.preferred_channel = 'email' AND petitioner.email IS NOT NULL THEN
          channel := 'email'; address := petitioner.email;
        ELSIF petitioner.phone IS NOT NULL THEN
          channel := 'sms'; address := petitioner.phone;
        ELSIF petitioner.email IS NOT NULL THEN
          channel := 'email'; address := petitioner.email;
        END IF;
      END IF;
      IF channel IS NOT NULL THEN
        INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, language, topic, payload)
        VALUES (message.id, 'petitioner:' || petitioner.id, channel, address, petitioner.language, message.topic,
                message.payload)
        ON CONFLICT DO NOTHING;
      END IF;
    ELSE
      -- Staff: an audience of the petition, or one user (user:N, the daily digest). Each on the channels
      -- they chose, urgent messages by SMS too; non-urgent SMS and e-mail after their quiet hours.
      INSERT INTO notification_deliveries (outbox_id, recipient, user_id, channel, address, language, topic, payload,
                                           next_attempt_at)
      SELECT message.id, 'user:' || u.id, u.id, c.channel,
             CASE c.channel WHEN 'sms' THEN u.phone WHEN 'email' THEN u.email END, u.language, message.topic,
             CASE WHEN petition.id IS NULL THEN message.payload ELSE message.payload || staff_message_values(petition) END,
             CASE WHEN c.channel = 'in_app' OR message.topic = ANY (urgent) THEN now()
                  ELSE after_quiet_hours(now(), u.quiet_from, u.quiet_until) END
      FROM (SELECT * FROM audience_users(petition, message.audience) WHERE petition.id IS NOT NULL
            UNION ALL
            SELECT * FROM users WHERE message.audience = 'user:' || id AND active) u
      CROSS JOIN LATERAL (VALUES ('in_app'), ('sms'), ('email')) AS c(channel)
      WHERE CASE c.channel
        WHEN 'in_app' THEN 'in_app' = ANY (u.notify_channels)
        WHEN 'sms' THEN u.phone IS NOT NULL AND ('sms' = ANY (u.notify_channels) OR message.topic = ANY (urgent))
        ELSE u.email IS NOT NULL AND 'email' = ANY (u.notify_channels) END
      ON CONFLICT DO NOTHING;
    END IF;
    -- Every subscribed system, once per message whatever its audience.
    INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, topic, payload)
    SELECT message.id, 'webhook:' || w.id, 'webhook', w.url, message.topic,
           message.payload || jsonb_build_object('audience', message.audience, 'petition_id', message.petition_id)
    FROM webhooks w WHERE w.active AND (w.topics = '{}' OR message.topic = ANY (w.topics))
    ON CONFLICT DO NOTHING;
    UPDATE outbox SET state = 'expanded', delivered_at = now() WHERE id = message.id;
    expanded := expanded + 1;
  END LOOP;
  RETURN expanded;
END $$;

-- The days a digest was made, so that each day's is made once by whichever process comes first.
CREATE TABLE digest_days (day date PRIMARY KEY, made_at timestamptz NOT NULL DEFAULT now());

-- Once a day from `hour` (local; none when it is not 0–23): an outbox row per manager who has an e-mail
-- address, listing what is overdue now in their subtree and what was escalated there in the last day.
-- Returns how many it queued.
CREATE FUNCTION queue_daily_digests(now timestamptz, hour integer) RETURNS integer LANGUAGE plpgsql AS $$
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
          WHERE p.due_at <= now AND u.path <@ mu.path) x) o
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
                ORDER BY f.petition_id, f.at) y) x) e
  WHERE m.active AND 'manager' = ANY (m.roles) AND m.email IS NOT NULL;
  GET DIAGNOSTICS queued = ROW_COUNT;
  RETURN queued;
END $$;

-- fire_escalations (0005) as before, with the topics of what it sends: a warning point's messages are
-- "due soon", a breach's are "reminder" (催办) or "overdue" to the unit's own staff and "escalation" to the
-- managers it reaches; a supervision (督办) is also told to the handlers.
CREATE OR REPLACE FUNCTION fire_escalations(now timestamptz, batch integer, process text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  point record;
  action jsonb;
  kind text;
  target text;
  fired integer := 0;
  responsible bigint;
  counted_for bigint;
  target_unit bigint;
  tracking text;
  warning boolean;
  topic text;
BEGIN
  FOR point IN
    SELECT e.* FROM escalation_points e
    WHERE e.fired_at IS NULL AND e.due_at <= now
    ORDER BY e.due_at
    LIMIT batch
    FOR UPDATE SKIP LOCKED
  LOOP
    -- Each point in a subtransaction of its own: one that fails is marked with its error and the others
    -- still fire, instead of one bad point holding back every later one.
    BEGIN
      UPDATE escalation_points SET fired_at = now, fired_by = process
        WHERE petition_id = point.petition_id AND clock_seq = point.clock_seq AND rule_index = point.rule_index;
      SELECT p.responsible_unit_id, p.tracking_code, coalesce(p.responsible_unit_id, p.intake_unit_id)
        INTO responsible, tracking, counted_for FROM petitions p WHERE p.id = point.petition_id
        FOR UPDATE;
      -- A point before its clock's deadline is a warning: what it sends says "due soon", not "late".
      SELECT point.due_at < c.deadline INTO warning FROM petition_clocks c
        WHERE c.petition_id = point.petition_id AND c.seq = point.clock_seq;
      warning := coalesce(warning, false);
      FOR action IN SELECT * FROM jsonb_array_elements(point.actions) LOOP
        kind := action ->> 0;
        target := action ->> 1;
        -- The unit an action is aimed at: the responsible unit, its parent, or the district (the root).
        target_unit := CASE target
          WHEN 'responsible' THEN responsible
          WHEN 'parent' THEN (SELECT parent_id FROM units WHERE id = responsible)
          WHEN 'district' THEN (SELECT u.id FROM units u JOIN units r ON r.id = responsible
                                WHERE u.path = subltree(r.path, 0, 1))
          ELSE NULL END;
        IF kind = 'remind' THEN
          UPDATE petitions SET reminders = reminders + 1 WHERE id = point.petition_id;
          PERFORM record_report_fact(point.petition_id, now, counted_for, 'reminded');
          INSERT INTO outbox (petition_id, audience, topic, payload)
            VALUES (point.petition_id, CASE target WHEN 'parent' THEN 'parent_handlers' ELSE 'handlers' END,
                    CASE WHEN warning THEN 'due_soon' ELSE 'reminder' END,
                    jsonb_build_object('tracking_code', tracking, 'clock', point.clock, 'due_at', iso_local(point.due_at)));
        ELSIF kind = 'supervise' THEN
          UPDATE petitions SET supervisions = supervisions + 1, supervised_by_unit_id = coalesce(target_unit, supervised_by_unit_id)
            WHERE id = point.petition_id;
          PERFORM record_report_fact(point.petition_id, now, counted_for, 'supervised');
          INSERT INTO outbox (petition_id, audience, topic, payload)
            VALUES (point.petition_id, 'handlers', 'supervised',
                    jsonb_build_object('tracking_code', tracking, 'clock', point.clock, 'due_at', iso_local(point.due_at),
                                       'by', coalesce((SELECT name FROM units WHERE id = target_unit), '')));
          IF target_unit IS NOT NULL THEN
            PERFORM record_report_fact(point.petition_id, now, counted_for,
                                       'escalated_to_' || (SELECT unit_level(t.path, t.kind) FROM units t WHERE t.id = target_unit));
          END IF;
        ELSIF kind = 'list_for_criticism' THEN
          UPDATE petitions SET criticised_at = now WHERE id = point.petition_id AND criticised_at IS NULL;
          IF FOUND THEN
            PERFORM record_report_fact(point.petition_id, now, counted_for, 'criticised');
          END IF;
        ELSIF kind = 'add_co_responsible' AND target_unit IS NOT NULL THEN
          UPDATE petitions SET co_unit_ids = array_append(co_unit_ids, target_unit)
            WHERE id = point.petition_id AND NOT target_unit = ANY (co_unit_ids) AND target_unit <> ALL (complained_unit_ids);
        ELSIF kind = 'move_up' AND target_unit IS NOT NULL THEN
          UPDATE petitions SET responsible_unit_id = target_unit
            WHERE id = point.petition_id AND target_unit <> ALL (complained_unit_ids);
          IF FOUND THEN
            PERFORM record_report_fact(point.petition_id, now, counted_for,
                                       'escalated_to_' || (SELECT unit_level(t.path, t.kind) FROM units t WHERE t.id = target_unit));
          END IF;
        ELSIF kind = 'notify' THEN
          INSERT INTO outbox (petition_id, audience, topic, payload)
            VALUES (point.petition_id, target,
                    CASE WHEN warning THEN 'due_soon' WHEN target IN ('handlers', 'operators') THEN 'overdue' ELSE 'escalation' END,
                    jsonb_build_object('tracking_code', tracking, 'clock', point.clock, 'due_at', iso_local(point.due_at)));
        END IF;
      END LOOP;
      INSERT INTO petition_events (petition_id, at, actor_id, actor_name, action, fields)
        VALUES (point.petition_id, now, NULL, '系统', 'escalation',
                jsonb_build_object('clock', point.clock, 'rule', point.rule_index, 'due_at', iso_local(point.due_at),
                                   'actions', point.actions));
      UPDATE petitions SET updated_at = now WHERE id = point.petition_id;
      fired := fired + 1;
    EXCEPTION WHEN OTHERS THEN
      UPDATE escalation_points SET fired_at = now, fired_by = left(process || ' failed: ' || SQLERRM, 500)
        WHERE petition_id = point.petition_id AND clock_seq = point.clock_seq AND rule_index = point.rule_index;
      RAISE WARNING 'escalation point of petition % (rule %) failed: %', point.petition_id, point.rule_index, SQLERRM;
    END;
  END LOOP;
  RETURN fired;
END $$;
