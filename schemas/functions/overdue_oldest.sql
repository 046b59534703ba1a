-- The earliest deadline among the petitions counted in one tally row.
-- (Parameters by number: in a SQL function a column of the same name would win.)
-- A SQL function's statement is planned once for any class ($4), so `overdue_class > 0` is written out: without
-- it the planner cannot use the partial index petitions_overdue_unit and reads the whole table per unit.
CREATE OR REPLACE FUNCTION overdue_oldest(scope_unit_id bigint, dimension text, value text, class smallint) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT min(first.due_at)
  FROM units s
  JOIN units u ON u.path <@ s.path AND ($2 <> 'level' OR unit_level(u.path, u.kind) = $3)
  CROSS JOIN LATERAL (
    SELECT p.due_at FROM petitions p
    WHERE coalesce(p.responsible_unit_id, p.intake_unit_id) = u.id AND p.overdue_class = $4 AND p.overdue_class > 0
      AND ($2 <> 'category' OR p.category = $3) AND ($2 <> 'channel' OR p.channel = $3)
    ORDER BY p.due_at LIMIT 1) AS first
  WHERE s.id = $1
$$;
