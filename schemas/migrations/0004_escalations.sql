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

-- What escalation did to a petition, for the handlers' screens and the managers' reports.
ALTER TABLE petitions
  ADD COLUMN reminders integer NOT NULL DEFAULT 0,
  ADD COLUMN supervisions integer NOT NULL DEFAULT 0,
  ADD COLUMN supervised_by_unit_id bigint REFERENCES units (id),
  ADD COLUMN criticised_at timestamptz;

-- Fires up to `batch` escalation points due at `now`, each exactly once; returns how many it fired.
CREATE FUNCTION fire_escalations(now timestamptz, batch integer, process text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  point record;
  action jsonb;
  kind text;
  target text;
  fired integer := 0;
  responsible bigint;
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
    UPDATE escalation_points SET fired_at = now, fired_by = process
      WHERE petition_id = point.petition_id AND clock_seq = point.clock_seq AND rule_index = point.rule_index;
    SELECT p.responsible_unit_id, p.tracking_code INTO responsible, tracking FROM petitions p WHERE p.id = point.petition_id
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
        INSERT INTO outbox (petition_id, audience, topic, payload)
          VALUES (point.petition_id, CASE target WHEN 'parent' THEN 'parent_handlers' ELSE 'handlers' END, 'reminder',
                  jsonb_build_object('tracking_code', tracking, 'clock', point.clock, 'due_at', iso_local(point.due_at)));
      ELSIF kind = 'supervise' THEN
        UPDATE petitions SET supervisions = supervisions + 1, supervised_by_unit_id = coalesce(target_unit, supervised_by_unit_id)
          WHERE id = point.petition_id;
      ELSIF kind = 'list_for_criticism' THEN
        UPDATE petitions SET criticised_at = coalesce(criticised_at, now) WHERE id = point.petition_id;
      ELSIF kind = 'add_co_responsible' AND target_unit IS NOT NULL THEN
        UPDATE petitions SET co_unit_ids = array_append(co_unit_ids, target_unit)
          WHERE id = point.petition_id AND NOT target_unit = ANY (co_unit_ids) AND target_unit <> ALL (complained_unit_ids);
      ELSIF kind = 'move_up' AND target_unit IS NOT NULL THEN
        UPDATE petitions SET responsible_unit_id = target_unit
          WHERE id = point.petition_id AND target_unit <> ALL (complained_unit_ids);
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
  END LOOP;
  RETURN fired;
END $$;
