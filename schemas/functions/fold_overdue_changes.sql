-- Adds up to `batch` logged changes into the tally; returns how many.
CREATE OR REPLACE FUNCTION fold_overdue_changes(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  folded integer;
BEGIN
  -- One fold at a time (two would add into the same rows in different orders, and each reads the rows' oldest).
  IF NOT pg_try_advisory_xact_lock(hashtext('fold_overdue_changes')) THEN
    RETURN 0;
  END IF;
  WITH taken AS (
    DELETE FROM overdue_changes WHERE id IN (SELECT id FROM overdue_changes ORDER BY id LIMIT batch) RETURNING *
  ), expanded AS (
    SELECT s.scope, d.dimension, d.value, t.class, t.delta, t.due_at
    FROM taken t
    CROSS JOIN LATERAL unnest(string_to_array(ltree2text(t.unit_path), '.')::bigint[]) AS s(scope)
    CROSS JOIN LATERAL (VALUES ('all', ''), ('level', t.level), ('category', t.category), ('channel', t.channel))
      AS d(dimension, value)
  ), summed AS (
    SELECT scope, dimension, value, class, sum(delta)::bigint AS n,
           min(due_at) FILTER (WHERE delta > 0) AS added_oldest, min(due_at) FILTER (WHERE delta < 0) AS removed_oldest
    FROM expanded GROUP BY scope, dimension, value, class
  ), written AS (
    INSERT INTO overdue_tally AS o (scope_unit_id, dimension, value, class, n, oldest_due)
    SELECT x.scope, x.dimension, x.value, x.class, x.n,
           CASE WHEN coalesce(cur.n, 0) + x.n = 0 THEN NULL
                -- the oldest left: read again from the petitions
                WHEN x.removed_oldest <= cur.oldest_due THEN overdue_oldest(x.scope, x.dimension, x.value, x.class)
                ELSE least(cur.oldest_due, x.added_oldest) END
    FROM summed x
    LEFT JOIN overdue_tally cur
      ON (cur.scope_unit_id, cur.dimension, cur.value, cur.class) = (x.scope, x.dimension, x.value, x.class)
    ON CONFLICT (scope_unit_id, dimension, value, class) DO UPDATE SET n = o.n + excluded.n, oldest_due = excluded.oldest_due
    RETURNING 1
  )
  SELECT count(*) INTO folded FROM taken;
  RETURN folded;
END $$;
