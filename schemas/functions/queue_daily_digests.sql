-- Once a day from `hour` (local; none when it is not 0–23): an outbox row per manager who has an e-mail
-- address, listing what is overdue now in their subtree and what was escalated there in the last day,
-- leaving out what accuses the manager's unit. Returns how many it queued.
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
