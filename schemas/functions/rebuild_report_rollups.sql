-- Every rollup again from every fact; returns the number of months summed. New facts wait while it runs
-- (it holds report_facts in SHARE mode) and reports wait for its commit: a maintenance operation, after
-- a history is loaded in bulk. The rows are then stored in key order, each unit's together, so that a
-- report over years reads a few pages per unit instead of one per row (folds append after them; running
-- CLUSTER report_rollups again now and then keeps it so).
CREATE OR REPLACE FUNCTION rebuild_report_rollups() RETURNS integer LANGUAGE plpgsql AS $$
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
