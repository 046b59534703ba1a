-- Adds the facts that `facts_where` picks (a condition on report_facts f; $1 may be an id array, $2 and $3
-- a half-open day range) into the rollups of their unit and every ancestor, per day and month, and each
-- unit's days into its years.
CREATE OR REPLACE FUNCTION add_report_facts(facts_where text, ids bigint[], first_day date, end_day date) RETURNS void
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
    ), days AS MATERIALIZED (
      -- Each unit's figures counted for it and every ancestor, per day; months and years are summed from these.
      SELECT s.scope, b.dimension, b.dimension_value, b.day AS period_start, %3$s
      FROM by_dimension b
      CROSS JOIN LATERAL unnest(string_to_array(ltree2text(b.unit_path), '.')::bigint[]) AS s(scope)
      GROUP BY s.scope, b.dimension, b.dimension_value, b.day
    ), periods AS (
      SELECT scope, dimension, dimension_value, 'd'::"char" AS grain, period_start, %4$s FROM days
      UNION ALL
      SELECT scope, dimension, dimension_value, 'm', date_trunc('month', period_start)::date, %3$s
      FROM days GROUP BY scope, dimension, dimension_value, date_trunc('month', period_start)
      UNION ALL
      SELECT scope, dimension, dimension_value, 'y', date_trunc('year', period_start)::date, %3$s
      FROM days GROUP BY scope, dimension, dimension_value, date_trunc('year', period_start)
    )
    INSERT INTO report_rollups AS r (scope_unit_id, dimension, grain, period_start, value, %4$s)
    SELECT scope, dimension, grain, period_start, dimension_value, %4$s
    FROM periods
    ON CONFLICT (scope_unit_id, dimension, grain, period_start, value) DO UPDATE SET %5$s
  $sql$, counted, facts_where, summed, names, added) USING ids, first_day, end_day;
END $$;
