-- Moves up to `batch` petitions whose class has changed by `now_at` into their class; returns how many.
-- Each range is an ordered index scan of its own rather than one bitmap scan over all nine: a bitmap scan
-- never marks index entries dead, and each reclass leaves one (the row's old class) until VACUUM, which on
-- 10 M petitions comes rarely; with 50 k overdue petitions every pass read 47 k heap pages to find nothing.
CREATE OR REPLACE FUNCTION reclass_overdue(now_at timestamptz, batch integer) RETURNS integer LANGUAGE sql AS $$
  WITH newly_late AS (
    SELECT id FROM petitions WHERE overdue_class = 0 AND due_at <= now_at AND due_at IS NOT NULL
    ORDER BY overdue_class, due_at LIMIT batch FOR UPDATE SKIP LOCKED
  ), past_1_day AS (
    SELECT id FROM petitions WHERE overdue_class = 1 AND due_at < now_at - interval '24 hours'
    ORDER BY overdue_class, due_at LIMIT batch FOR UPDATE SKIP LOCKED
  ), past_3_days AS (
    SELECT id FROM petitions WHERE overdue_class = 2 AND due_at < now_at - interval '72 hours'
    ORDER BY overdue_class, due_at LIMIT batch FOR UPDATE SKIP LOCKED
  ), past_7_days AS (
    SELECT id FROM petitions WHERE overdue_class = 3 AND due_at < now_at - interval '168 hours'
    ORDER BY overdue_class, due_at LIMIT batch FOR UPDATE SKIP LOCKED
  ), ahead AS (  -- classes ahead of the clock: only after it was set back
    SELECT id FROM petitions WHERE due_at IS NOT NULL AND (
      (overdue_class = 1 AND due_at > now_at) OR
      (overdue_class = 2 AND due_at >= now_at - interval '24 hours') OR
      (overdue_class = 3 AND due_at >= now_at - interval '72 hours') OR
      (overdue_class = 4 AND due_at >= now_at - interval '168 hours'))
    LIMIT batch FOR UPDATE SKIP LOCKED
  ), behind AS (
    SELECT id FROM newly_late UNION ALL SELECT id FROM past_1_day UNION ALL SELECT id FROM past_3_days
    UNION ALL SELECT id FROM past_7_days UNION ALL SELECT id FROM ahead
  ), moved AS (
    UPDATE petitions p SET overdue_class = overdue_class_of(now_at - p.due_at)
    FROM (SELECT id FROM behind LIMIT batch) AS b WHERE p.id = b.id
    RETURNING 1
  )
  SELECT count(*)::integer FROM moved
$$;
