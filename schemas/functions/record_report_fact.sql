-- A fact about `petition` counted for `unit` (the deadline scheduler's; the server writes its own).
CREATE OR REPLACE FUNCTION record_report_fact(petition bigint, at timestamptz, unit bigint, measure text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_facts (petition_id, at, day, unit_id, unit_path, level, category, channel, measure)
  SELECT p.id, at, local_date(at), u.id, u.path, unit_level(u.path, u.kind), p.category, p.channel, measure
  FROM petitions p, units u WHERE p.id = petition AND u.id = unit
$$;
