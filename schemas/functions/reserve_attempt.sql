-- Log-in and password attempts are reserved before the password is verified, so that concurrent guesses
-- cannot all pass a check made before any of them failed. Each key (an account from one address, an
-- address, an account from anywhere) has its own limit and window; an attempt is let through only when
-- every key is under its limit, and then counts against all of them. The rows are locked in key order,
-- so concurrent attempts on the same key take turns. Returns whether the attempt may go ahead.
CREATE OR REPLACE FUNCTION reserve_attempt(keys text[], limits integer[], windows float8[]) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  used integer;
BEGIN
  INSERT INTO login_failures (key, failures, window_start)
  SELECT k, 0, now() FROM unnest(keys) k ON CONFLICT (key) DO NOTHING;
  PERFORM 1 FROM login_failures WHERE key = ANY (keys) ORDER BY key FOR UPDATE;
  FOR i IN 1 .. cardinality(keys) LOOP
    SELECT CASE WHEN window_start > now() - make_interval(secs => windows[i]) THEN failures ELSE 0 END
      INTO used FROM login_failures WHERE key = keys[i];
    IF used >= limits[i] THEN
      RETURN false;
    END IF;
  END LOOP;
  FOR i IN 1 .. cardinality(keys) LOOP
    UPDATE login_failures SET
      failures = CASE WHEN window_start > now() - make_interval(secs => windows[i]) THEN failures + 1 ELSE 1 END,
      window_start = CASE WHEN window_start > now() - make_interval(secs => windows[i]) THEN window_start ELSE now() END
    WHERE key = keys[i];
  END LOOP;
  RETURN true;
END $$;
