-- Fires up to `batch` escalation points due at `now`, each exactly once and each in a subtransaction of its
-- own; records what it did for the reports; returns how many it fired. A warning point's messages are
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
  handed_down boolean;
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
      SELECT p.responsible_unit_id, p.tracking_code, coalesce(p.responsible_unit_id, p.intake_unit_id),
             cardinality(p.handed_down_from) > 0
        INTO responsible, tracking, counted_for, handed_down FROM petitions p WHERE p.id = point.petition_id
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
        IF target = 'upper' AND NOT handed_down THEN
          NULL;  -- aimed at the unit that handed the order down: there is none
        ELSIF kind = 'remind' THEN
          UPDATE petitions SET reminders = reminders + 1 WHERE id = point.petition_id;
          PERFORM record_report_fact(point.petition_id, now, counted_for, 'reminded');
          INSERT INTO outbox (petition_id, audience, topic, payload)
            VALUES (point.petition_id, CASE target WHEN 'parent' THEN 'parent_handlers' WHEN 'upper' THEN 'upper'
                                       ELSE 'handlers' END,
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
  PERFORM remind_late_co_parts(now);  -- co-handling parts have limits of their own, not clocks
  RETURN fired;
END $$;
