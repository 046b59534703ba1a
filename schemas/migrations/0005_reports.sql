-- The managers' reports (docs/reports.md). Every counted event becomes a fact (an immutable row naming
-- the measure, the unit it counts for and where that unit sat in the tree then) written in the same
-- transaction as the change; a queue lists the facts not yet added into the rollups, and the deadline
-- scheduler folds them in batches (SKIP LOCKED, so any number of processes may). Rollups hold the sums per
-- scope unit (the unit and each of its ancestors, so a subtree's figure is one row), dimension, and day
-- and month: a report over any period reads its whole months and at most two months of single days.

CREATE FUNCTION local_date(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (t AT TIME ZONE 'UTC' + interval '8 hours')::date
$$;

-- The level a unit reports under: the district itself, its departments, towns/streets, villages/communities.
CREATE FUNCTION unit_level(path ltree, kind text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN nlevel(path) = 1 THEN 'district' WHEN kind = 'department' THEN 'department'
              WHEN nlevel(path) = 2 THEN 'town' ELSE 'village' END
$$;

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

CREATE FUNCTION report_facts_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'report_facts is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER report_facts_no_update BEFORE UPDATE OR DELETE ON report_facts
  FOR EACH ROW EXECUTE FUNCTION report_facts_are_append_only();

CREATE TABLE report_fact_queue (fact_id bigint PRIMARY KEY);

CREATE FUNCTION queue_report_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_fact_queue (fact_id) SELECT id FROM new_facts;
  RETURN NULL;
END $$;
CREATE TRIGGER report_facts_queue AFTER INSERT ON report_facts
  REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION queue_report_facts();

-- A fact about `petition` counted for `unit` (the deadline scheduler's; the server writes its own).
CREATE FUNCTION record_report_fact(petition bigint, at timestamptz, unit bigint, measure text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_facts (petition_id, at, day, unit_id, unit_path, level, category, channel, measure)
  SELECT p.id, at, local_date(at), u.id, u.path, unit_level(u.path, u.kind), p.category, p.channel, measure
  FROM petitions p, units u WHERE p.id = petition AND u.id = unit
$$;

CREATE TABLE report_rollups (
  scope_unit_id  bigint NOT NULL,   -- the figures are for this unit's whole subtree
  dimension      text NOT NULL CHECK (dimension IN ('all', 'level', 'category', 'channel')),
  grain          "char" NOT NULL CHECK (grain IN ('d', 'm')),
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

-- Adds up to `batch` queued facts into the rollups; returns how many it added.
CREATE FUNCTION fold_report_facts(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  folded integer;
BEGIN
  -- One fold at a time: two would add into the same rollup rows in different orders and deadlock. A
  -- process that finds another folding leaves it the work.
  IF NOT pg_try_advisory_xact_lock(hashtext('fold_report_facts')) THEN
    RETURN 0;
  END IF;
  -- The claimed ids as one array, so that the queue and the facts are read by index, never scanned.
  WITH claimed AS MATERIALIZED (
    SELECT ARRAY(SELECT fact_id FROM report_fact_queue ORDER BY fact_id LIMIT batch FOR UPDATE SKIP LOCKED) AS ids
  ), taken AS (
    DELETE FROM report_fact_queue q USING claimed WHERE q.fact_id = ANY (claimed.ids) RETURNING q.fact_id
  ), base AS (
    SELECT f.day, f.unit_path, f.level, f.category, f.channel,
      count(*) FILTER (WHERE measure = 'received') AS received,
      count(*) FILTER (WHERE measure = 'repeat') AS repeats,
      count(*) FILTER (WHERE measure = 'accepted') AS accepted,
      count(*) FILTER (WHERE measure = 'not_accepted') AS not_accepted,
      count(*) FILTER (WHERE measure = 'dispatched') AS dispatched,
      count(*) FILTER (WHERE measure = 'signed_for') AS signed_for,
      count(*) FILTER (WHERE measure = 'signed_for' AND on_time) AS signed_on_time,
      count(*) FILTER (WHERE measure = 'returned') AS returned,
      count(*) FILTER (WHERE measure = 'extended') AS extended,
      count(*) FILTER (WHERE measure = 'replied') AS replied,
      count(*) FILTER (WHERE measure = 'replied' AND on_time) AS replied_on_time,
      coalesce(sum(value) FILTER (WHERE measure = 'replied'), 0) AS handling_days,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 0) AS h0,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 1) AS h1,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 2) AS h2,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 3) AS h3,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 4) AS h4,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 5) AS h5,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 6) AS h6,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 7) AS h7,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 8) AS h8,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 9) AS h9,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 10) AS h10,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 11) AS h11,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 12) AS h12,
      count(*) FILTER (WHERE measure = 'replied' AND bucket = 13) AS h13,
      count(*) FILTER (WHERE measure = 'satisfaction' AND value = 1) AS sat1,
      count(*) FILTER (WHERE measure = 'satisfaction' AND value = 2) AS sat2,
      count(*) FILTER (WHERE measure = 'satisfaction' AND value = 3) AS sat3,
      count(*) FILTER (WHERE measure = 'satisfaction' AND value = 4) AS sat4,
      count(*) FILTER (WHERE measure = 'satisfaction' AND value = 5) AS sat5,
      count(*) FILTER (WHERE measure = 'redone') AS redone,
      count(*) FILTER (WHERE measure = 'reminded') AS reminded,
      count(*) FILTER (WHERE measure = 'supervised') AS supervised,
      count(*) FILTER (WHERE measure = 'escalated_to_district') AS escalated_to_district,
      count(*) FILTER (WHERE measure = 'escalated_to_department') AS escalated_to_department,
      count(*) FILTER (WHERE measure = 'escalated_to_town') AS escalated_to_town,
      count(*) FILTER (WHERE measure = 'escalated_to_village') AS escalated_to_village,
      count(*) FILTER (WHERE measure = 'criticised') AS criticised
    FROM report_facts f, claimed WHERE f.id = ANY (claimed.ids)
    GROUP BY f.day, f.unit_path, f.level, f.category, f.channel
  ), by_dimension AS (
    -- Each dimension summed on its own before the expansion to ancestors and periods, so that a bulk
    -- fold expands a few rows per unit and day, not one per fact.
    SELECT 'all' AS dimension, '' AS dimension_value, day, unit_path, sum(received)::bigint AS received, sum(repeats)::bigint AS repeats, sum(accepted)::bigint AS accepted, sum(not_accepted)::bigint AS not_accepted, sum(dispatched)::bigint AS dispatched, sum(signed_for)::bigint AS signed_for, sum(signed_on_time)::bigint AS signed_on_time, sum(returned)::bigint AS returned, sum(extended)::bigint AS extended, sum(replied)::bigint AS replied, sum(replied_on_time)::bigint AS replied_on_time, sum(handling_days) AS handling_days, sum(h0)::bigint AS h0, sum(h1)::bigint AS h1, sum(h2)::bigint AS h2, sum(h3)::bigint AS h3, sum(h4)::bigint AS h4, sum(h5)::bigint AS h5, sum(h6)::bigint AS h6, sum(h7)::bigint AS h7, sum(h8)::bigint AS h8, sum(h9)::bigint AS h9, sum(h10)::bigint AS h10, sum(h11)::bigint AS h11, sum(h12)::bigint AS h12, sum(h13)::bigint AS h13, sum(sat1)::bigint AS sat1, sum(sat2)::bigint AS sat2, sum(sat3)::bigint AS sat3, sum(sat4)::bigint AS sat4, sum(sat5)::bigint AS sat5, sum(redone)::bigint AS redone, sum(reminded)::bigint AS reminded, sum(supervised)::bigint AS supervised, sum(escalated_to_district)::bigint AS escalated_to_district, sum(escalated_to_department)::bigint AS escalated_to_department, sum(escalated_to_town)::bigint AS escalated_to_town, sum(escalated_to_village)::bigint AS escalated_to_village, sum(criticised)::bigint AS criticised
    FROM base GROUP BY day, unit_path
    UNION ALL
    SELECT 'level', level, day, unit_path, sum(received)::bigint AS received, sum(repeats)::bigint AS repeats, sum(accepted)::bigint AS accepted, sum(not_accepted)::bigint AS not_accepted, sum(dispatched)::bigint AS dispatched, sum(signed_for)::bigint AS signed_for, sum(signed_on_time)::bigint AS signed_on_time, sum(returned)::bigint AS returned, sum(extended)::bigint AS extended, sum(replied)::bigint AS replied, sum(replied_on_time)::bigint AS replied_on_time, sum(handling_days) AS handling_days, sum(h0)::bigint AS h0, sum(h1)::bigint AS h1, sum(h2)::bigint AS h2, sum(h3)::bigint AS h3, sum(h4)::bigint AS h4, sum(h5)::bigint AS h5, sum(h6)::bigint AS h6, sum(h7)::bigint AS h7, sum(h8)::bigint AS h8, sum(h9)::bigint AS h9, sum(h10)::bigint AS h10, sum(h11)::bigint AS h11, sum(h12)::bigint AS h12, sum(h13)::bigint AS h13, sum(sat1)::bigint AS sat1, sum(sat2)::bigint AS sat2, sum(sat3)::bigint AS sat3, sum(sat4)::bigint AS sat4, sum(sat5)::bigint AS sat5, sum(redone)::bigint AS redone, sum(reminded)::bigint AS reminded, sum(supervised)::bigint AS supervised, sum(escalated_to_district)::bigint AS escalated_to_district, sum(escalated_to_department)::bigint AS escalated_to_department, sum(escalated_to_town)::bigint AS escalated_to_town, sum(escalated_to_village)::bigint AS escalated_to_village, sum(criticised)::bigint AS criticised
    FROM base GROUP BY level, day, unit_path
    UNION ALL
    SELECT 'category', category, day, unit_path, sum(received)::bigint AS received, sum(repeats)::bigint AS repeats, sum(accepted)::bigint AS accepted, sum(not_accepted)::bigint AS not_accepted, sum(dispatched)::bigint AS dispatched, sum(signed_for)::bigint AS signed_for, sum(signed_on_time)::bigint AS signed_on_time, sum(returned)::bigint AS returned, sum(extended)::bigint AS extended, sum(replied)::bigint AS replied, sum(replied_on_time)::bigint AS replied_on_time, sum(handling_days) AS handling_days, sum(h0)::bigint AS h0, sum(h1)::bigint AS h1, sum(h2)::bigint AS h2, sum(h3)::bigint AS h3, sum(h4)::bigint AS h4, sum(h5)::bigint AS h5, sum(h6)::bigint AS h6, sum(h7)::bigint AS h7, sum(h8)::bigint AS h8, sum(h9)::bigint AS h9, sum(h10)::bigint AS h10, sum(h11)::bigint AS h11, sum(h12)::bigint AS h12, sum(h13)::bigint AS h13, sum(sat1)::bigint AS sat1, sum(sat2)::bigint AS sat2, sum(sat3)::bigint AS sat3, sum(sat4)::bigint AS sat4, sum(sat5)::bigint AS sat5, sum(redone)::bigint AS redone, sum(reminded)::bigint AS reminded, sum(supervised)::bigint AS supervised, sum(escalated_to_district)::bigint AS escalated_to_district, sum(escalated_to_department)::bigint AS escalated_to_department, sum(escalated_to_town)::bigint AS escalated_to_town, sum(escalated_to_village)::bigint AS escalated_to_village, sum(criticised)::bigint AS criticised
    FROM base GROUP BY category, day, unit_path
    UNION ALL
    SELECT 'channel', channel, day, unit_path, sum(received)::bigint AS received, sum(repeats)::bigint AS repeats, sum(accepted)::bigint AS accepted, sum(not_accepted)::bigint AS not_accepted, sum(dispatched)::bigint AS dispatched, sum(signed_for)::bigint AS signed_for, sum(signed_on_time)::bigint AS signed_on_time, sum(returned)::bigint AS returned, sum(extended)::bigint AS extended, sum(replied)::bigint AS replied, sum(replied_on_time)::bigint AS replied_on_time, sum(handling_days) AS handling_days, sum(h0)::bigint AS h0, sum(h1)::bigint AS h1, sum(h2)::bigint AS h2, sum(h3)::bigint AS h3, sum(h4)::bigint AS h4, sum(h5)::bigint AS h5, sum(h6)::bigint AS h6, sum(h7)::bigint AS h7, sum(h8)::bigint AS h8, sum(h9)::bigint AS h9, sum(h10)::bigint AS h10, sum(h11)::bigint AS h11, sum(h12)::bigint AS h12, sum(h13)::bigint AS h13, sum(sat1)::bigint AS sat1, sum(sat2)::bigint AS sat2, sum(sat3)::bigint AS sat3, sum(sat4)::bigint AS sat4, sum(sat5)::bigint AS sat5, sum(redone)::bigint AS redone, sum(reminded)::bigint AS reminded, sum(supervised)::bigint AS supervised, sum(escalated_to_district)::bigint AS escalated_to_district, sum(escalated_to_department)::bigint AS escalated_to_department, sum(escalated_to_town)::bigint AS escalated_to_town, sum(escalated_to_village)::bigint AS escalated_to_village, sum(criticised)::bigint AS criticised
    FROM base GROUP BY channel, day, unit_path
  ), expanded AS (
    SELECT s.scope, g.grain, g.period_start, b.*
    FROM by_dimension b
    CROSS JOIN LATERAL unnest(string_to_array(ltree2text(b.unit_path), '.')::bigint[]) AS s(scope)
    CROSS JOIN LATERAL (VALUES ('d'::"char", b.day), ('m'::"char", date_trunc('month', b.day)::date))
      AS g(grain, period_start)
  ), written AS (
    INSERT INTO report_rollups AS r (scope_unit_id, dimension, grain, period_start, value, received, repeats, accepted, not_accepted, dispatched, signed_for, signed_on_time, returned, extended, replied, replied_on_time, handling_days, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, sat1, sat2, sat3, sat4, sat5, redone, reminded, supervised, escalated_to_district, escalated_to_department, escalated_to_town, escalated_to_village, criticised)
  SELECT scope, dimension, grain, period_start, dimension_value, sum(received)::bigint, sum(repeats)::bigint, sum(accepted)::bigint, sum(not_accepted)::bigint, sum(dispatched)::bigint, sum(signed_for)::bigint, sum(signed_on_time)::bigint, sum(returned)::bigint, sum(extended)::bigint, sum(replied)::bigint, sum(replied_on_time)::bigint, sum(handling_days), sum(h0)::bigint, sum(h1)::bigint, sum(h2)::bigint, sum(h3)::bigint, sum(h4)::bigint, sum(h5)::bigint, sum(h6)::bigint, sum(h7)::bigint, sum(h8)::bigint, sum(h9)::bigint, sum(h10)::bigint, sum(h11)::bigint, sum(h12)::bigint, sum(h13)::bigint, sum(sat1)::bigint, sum(sat2)::bigint, sum(sat3)::bigint, sum(sat4)::bigint, sum(sat5)::bigint, sum(redone)::bigint, sum(reminded)::bigint, sum(supervised)::bigint, sum(escalated_to_district)::bigint, sum(escalated_to_department)::bigint, sum(escalated_to_town)::bigint, sum(escalated_to_village)::bigint, sum(criticised)::bigint
  FROM expanded GROUP BY scope, dimension, grain, period_start, dimension_value
  ON CONFLICT (scope_unit_id, dimension, grain, period_start, value) DO UPDATE SET
    received = r.received + excluded.received,
    repeats = r.repeats + excluded.repeats,
    accepted = r.accepted + excluded.accepted,
    not_accepted = r.not_accepted + excluded.not_accepted,
    dispatched = r.dispatched + excluded.dispatched,
    signed_for = r.signed_for + excluded.signed_for,
    signed_on_time = r.signed_on_time + excluded.signed_on_time,
    returned = r.returned + excluded.returned,
    extended = r.extended + excluded.extended,
    replied = r.replied + excluded.replied,
    replied_on_time = r.replied_on_time + excluded.replied_on_time,
    handling_days = r.handling_days + excluded.handling_days,
    h0 = r.h0 + excluded.h0,
    h1 = r.h1 + excluded.h1,
    h2 = r.h2 + excluded.h2,
    h3 = r.h3 + excluded.h3,
    h4 = r.h4 + excluded.h4,
    h5 = r.h5 + excluded.h5,
    h6 = r.h6 + excluded.h6,
    h7 = r.h7 + excluded.h7,
    h8 = r.h8 + excluded.h8,
    h9 = r.h9 + excluded.h9,
    h10 = r.h10 + excluded.h10,
    h11 = r.h11 + excluded.h11,
    h12 = r.h12 + excluded.h12,
    h13 = r.h13 + excluded.h13,
    sat1 = r.sat1 + excluded.sat1,
    sat2 = r.sat2 + excluded.sat2,
    sat3 = r.sat3 + excluded.sat3,
    sat4 = r.sat4 + excluded.sat4,
    sat5 = r.sat5 + excluded.sat5,
    redone = r.redone + excluded.redone,
    reminded = r.reminded + excluded.reminded,
    supervised = r.supervised + excluded.supervised,
    escalated_to_district = r.escalated_to_district + excluded.escalated_to_district,
    escalated_to_department = r.escalated_to_department + excluded.escalated_to_department,
    escalated_to_town = r.escalated_to_town + excluded.escalated_to_town,
    escalated_to_village = r.escalated_to_village + excluded.escalated_to_village,
    criticised = r.criticised + excluded.criticised
    RETURNING 1
  )
  SELECT count(*) INTO folded FROM taken;
  RETURN folded;
END $$;

-- fire_escalations (0004) as before, now also recording what it did for the reports, and each point in a
-- subtransaction of its own.
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
            VALUES (point.petition_id, CASE target WHEN 'parent' THEN 'parent_handlers' ELSE 'handlers' END, 'reminder',
                    jsonb_build_object('tracking_code', tracking, 'clock', point.clock, 'due_at', iso_local(point.due_at)));
        ELSIF kind = 'supervise' THEN
          UPDATE petitions SET supervisions = supervisions + 1, supervised_by_unit_id = coalesce(target_unit, supervised_by_unit_id)
            WHERE id = point.petition_id;
          PERFORM record_report_fact(point.petition_id, now, counted_for, 'supervised');
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
            VALUES (point.petition_id, target, 'escalation',
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
