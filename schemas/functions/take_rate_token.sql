-- Counts a hit for `counter_key`; fails with SQLSTATE PT429 (rate limited) past `max_hits` in `per`.
CREATE OR REPLACE FUNCTION take_rate_token(counter_key text, max_hits integer, per interval) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  current_hits integer;
  opens_at timestamptz;
BEGIN
  INSERT INTO rate_counters AS r (key, hits, window_start) VALUES (counter_key, 1, now())
  ON CONFLICT (key) DO UPDATE
    SET hits = CASE WHEN r.window_start < now() - per THEN 1 ELSE r.hits + 1 END,
        window_start = CASE WHEN r.window_start < now() - per THEN now() ELSE r.window_start END
  RETURNING hits, window_start + per INTO current_hits, opens_at;
  -- Now and then, forget addresses not seen for a day, so the table stays the size of recent traffic.
  IF random() < 0.001 THEN
    DELETE FROM rate_counters WHERE window_start < now() - interval '1 day';
  END IF;
  IF current_hits > max_hits THEN
    -- The hint: seconds until the window opens again (the Retry-After header).
    RAISE EXCEPTION 'too many requests from this address; try again later' USING ERRCODE = 'PT429',
      HINT = greatest(1, ceil(extract(epoch FROM opens_at - now())))::bigint::text;
  END IF;
END $$;
