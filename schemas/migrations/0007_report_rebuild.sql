-- The fold as one pipeline over any set of facts, written once: the incremental fold feeds it the queued
-- facts; a rebuild feeds it every fact, a month at a time (after loading a history, or to check the
-- incremental sums). The rollup columns and how each is counted are data here, not spelled out per query.

-- Facts arrive in time order, so a block-range index finds a month's facts for a few kilobytes.
CREATE INDEX report_facts_day ON report_facts USING brin (day);

CREATE FUNCTION report_rollup_columns() RETURNS TABLE (ordinal integer, name text, counted text)
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

-- Adds the facts that `facts_where` picks (a condition on report_facts f; $1 may be an id array, $2 and $3
-- a half-open day range) into the rollups of their unit and every ancestor, per day and month.
CREATE FUNCTION add_report_facts(facts_where text, ids bigint[], first_day date, end_day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  counted text;
  summed text;
  names text;
  added text;
BEGIN
  SELECT string_agg(format('%s AS %I', c.counted, c.name), ', ' ORDER BY c.ordinal),
         string_agg(format(CASE WHEN c.name = 'handling_days' THEN 'sum(%1$I) AS %1$I' ELSE 'sum(%1$I)::bigint AS %1$I' END,
                           c.name), ', ' ORDER BY c.ordinal),
         string_agg(format('%I', c.name), ', ' ORDER BY c.ordinal),
         string_agg(format('%1$I = r.%1$I + excluded.%1$I', c.name), ', ' ORDER BY c.ordinal)
    INTO counted, summed, names, added
  FROM report_rollup_columns() c;
  -- Each dimension is summed on its own before the expansion to ancestors and periods, so that a large
  -- batch expands a few rows per unit and day, not one per fact.
  EXECUTE format($sql$
    WITH base AS (
      SELECT day, unit_path, level, category, channel, %1$s
      FROM report_facts f WHERE %2$s
      GROUP BY day, unit_path, level, category, channel
    ), by_dimension AS (
      SELECT 'all' AS dimension, '' AS dimension_value, day, unit_path, %3$s FROM base GROUP BY day, unit_path
      UNION ALL
      SELECT 'level', level, day, unit_path, %3$s FROM base GROUP BY level, day, unit_path
      UNION ALL
      SELECT 'category', category, day, unit_path, %3$s FROM base GROUP BY category, day, unit_path
      UNION ALL
      SELECT 'channel', channel, day, unit_path, %3$s FROM base GROUP BY channel, day, unit_path
    ), days AS (
      -- Each unit's figures counted for it and every ancestor, per day; the months are summed from these.
      SELECT s.scope, b.dimension, b.dimension_value, b.day AS period_start, %3$s
      FROM by_dimension b
      CROSS JOIN LATERAL unnest(string_to_array(ltree2text(b.unit_path), '.')::bigint[]) AS s(scope)
      GROUP BY s.scope, b.dimension, b.dimension_value, b.day
    ), periods AS (
      SELECT scope, dimension, dimension_value, 'd'::"char" AS grain, period_start, %4$s FROM days
      UNION ALL
      SELECT scope, dimension, dimension_value, 'm', date_trunc('month', period_start)::date, %3$s
      FROM days GROUP BY scope, dimension, dimension_value, date_trunc('month', period_start)
    )
    INSERT INTO report_rollups AS r (scope_unit_id, dimension, grain, period_start, value, %4$s)
    SELECT scope, dimension, grain, period_start, dimension_value, %4$s
    FROM periods
    ON CONFLICT (scope_unit_id, dimension, grain, period_start, value) DO UPDATE SET %5$s
  $sql$, counted, facts_where, summed, names, added) USING ids, first_day, end_day;
END $$;

-- Adds up to `batch` queued facts into the rollups; returns how many it added.
CREATE OR REPLACE FUNCTION fold_report_facts(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  -- One fold at a time: two would add into the same rollup rows in different orders and deadlock. A
  -- process that finds another folding leaves it the work.
  IF NOT pg_try_advisory_xact_lock(hashtext('fold_report_facts')) THEN
    RETURN 0;
  END IF;
  -- The claimed ids as one array, so that the queue and the facts are read by index, never scanned.
  ids := ARRAY(SELECT fact_id FROM report_fact_queue ORDER BY fact_id LIMIT batch FOR UPDATE SKIP LOCKED);
  IF cardinality(ids) = 0 THEN
    RETURN 0;
  END IF;
  DELETE FROM report_fact_queue WHERE fact_id = ANY (ids);
  PERFORM add_report_facts('f.id = ANY ($1)', ids, NULL, NULL);
  RETURN cardinality(ids);
END $$;

-- Every rollup again from every fact; returns the number of months summed. New facts wait while it runs
-- (it holds report_facts in SHARE mode) and reports wait for its commit: a maintenance operation, after
-- a history is loaded in bulk. The rows are then stored in key order, each unit's together, so that a
-- report over years reads a few pages per unit instead of one per row (folds append after them; running
-- CLUSTER report_rollups again now and then keeps it so).
CREATE FUNCTION rebuild_report_rollups() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month date;
  last_day date;
  months integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('fold_report_facts'));
  LOCK TABLE report_facts IN SHARE MODE;
  TRUNCATE report_fact_queue, report_rollups;
  -- Fresh statistics, so that each month's facts are found through the block-range index after a load.
  ANALYZE report_facts;
  SELECT date_trunc('month', min(day))::date, max(day) INTO month, last_day FROM report_facts;
  -- A month at a time, so that each month's sums fit in memory.
  WHILE month <= last_day LOOP
    PERFORM add_report_facts('f.day >= $2 AND f.day < $3', NULL, month, (month + interval '1 month')::date);
    month := (month + interval '1 month')::date;
    months := months + 1;
  END LOOP;
  CLUSTER report_rollups USING report_rollups_pkey;
  RETURN months;
END $$;
