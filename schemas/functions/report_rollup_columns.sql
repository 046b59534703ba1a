CREATE OR REPLACE FUNCTION report_rollup_columns() RETURNS TABLE (ordinal integer, name text, counted text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT * FROM (VALUES
    (1, 'received', 'count(*) FILTER (WHERE measure = ''received'')'),
    (2, 'repeats', 'count(*) FILTER (WHERE measure = ''repeat'')'),
    (3, 'accepted', 'count(*) FILTER (WHERE measure = ''accepted'')'),
    (4, 'not_accepted', 'count(*) FILTER (WHERE measure = ''not_accepted'')'),
    (5, 'dispatched', 'count(*) FILTER (WHERE measure = ''dispatched'')'),
    (6, 'signed_for', 'count(*) FILTER (WHERE measure = ''signed_for'')'),
    (7, 'signed_on_time', 'count(*) FILTER (WHERE measure = ''signed_for'' AND on_time)'),
    (8, 'returned', 'count(*) FILTER (WHERE measure = ''returned'')'),
    (9, 'extended', 'count(*) FILTER (WHERE measure = ''extended'')'),
    (10, 'replied', 'count(*) FILTER (WHERE measure = ''replied'')'),
    (11, 'replied_on_time', 'count(*) FILTER (WHERE measure = ''replied'' AND on_time)'),
    (12, 'handling_days', 'coalesce(sum(value) FILTER (WHERE measure = ''replied''), 0)')) AS fixed
  UNION ALL
  SELECT 13 + b, 'h' || b, format('count(*) FILTER (WHERE measure = ''replied'' AND bucket = %s)', b)
  FROM generate_series(0, 13) AS b
  UNION ALL
  SELECT 26 + s, 'sat' || s, format('count(*) FILTER (WHERE measure = ''satisfaction'' AND value = %s)', s)
  FROM generate_series(1, 5) AS s
  UNION ALL
  SELECT 31 + m.n, m.name, format('count(*) FILTER (WHERE measure = %L)', m.name)
  FROM unnest(ARRAY['redone', 'reminded', 'supervised', 'escalated_to_district', 'escalated_to_department',
                    'escalated_to_town', 'escalated_to_village', 'criticised']) WITH ORDINALITY AS m(name, n)
$$;
