-- Co-handling parts (协办) past their limit without a contribution: the co-handling unit's handlers are reminded
-- and the lead unit's handlers told, once each, with a timeline entry. Returns how many parts were late.
CREATE OR REPLACE FUNCTION remind_late_co_parts(now timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  late record;
  reminded integer := 0;
BEGIN
  FOR late IN
    UPDATE co_handling_parts c SET reminded_at = now
    WHERE c.due_at <= now AND c.contributed_at IS NULL AND c.reminded_at IS NULL
    RETURNING c.petition_id, c.unit_id, c.due_at
  LOOP
    INSERT INTO outbox (petition_id, audience, topic, payload)
      SELECT late.petition_id, a, 'co_part_overdue',
             jsonb_build_object('tracking_code', p.tracking_code, 'due_at', iso_local(late.due_at),
                                'by', (SELECT name FROM units WHERE id = late.unit_id))
      FROM petitions p, unnest(ARRAY['co_unit:' || late.unit_id, 'lead_handlers']) a WHERE p.id = late.petition_id;
    INSERT INTO petition_events (petition_id, at, actor_id, actor_name, action, fields)
      VALUES (late.petition_id, now, NULL, '系统', 'co_part_overdue',
              jsonb_build_object('unit', (SELECT code FROM units WHERE id = late.unit_id),
                                 'due_at', iso_local(late.due_at)));
    reminded := reminded + 1;
  END LOOP;
  RETURN reminded;
END $$;
