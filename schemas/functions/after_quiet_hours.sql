-- The end of the quiet hours `at` falls in, or `at` itself when it falls in none. (A date plus a time is a
-- local timestamp; eight hours earlier it is UTC.)
CREATE OR REPLACE FUNCTION after_quiet_hours(at timestamptz, quiet_from time, quiet_until time) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN quiet_from IS NULL THEN at
    WHEN quiet_from < quiet_until AND local.t >= quiet_from AND local.t < quiet_until
      THEN ((local.d + quiet_until) - interval '8 hours') AT TIME ZONE 'UTC'
    WHEN quiet_from > quiet_until AND local.t >= quiet_from
      THEN ((local.d + 1 + quiet_until) - interval '8 hours') AT TIME ZONE 'UTC'
    WHEN quiet_from > quiet_until AND local.t < quiet_until
      THEN ((local.d + quiet_until) - interval '8 hours') AT TIME ZONE 'UTC'
    ELSE at END
  FROM (SELECT (at AT TIME ZONE 'UTC' + interval '8 hours')::time AS t,
               (at AT TIME ZONE 'UTC' + interval '8 hours')::date AS d) AS local
$$;
