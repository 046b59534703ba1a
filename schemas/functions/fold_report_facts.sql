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
