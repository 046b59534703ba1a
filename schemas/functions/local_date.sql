CREATE OR REPLACE FUNCTION local_date(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (t AT TIME ZONE 'UTC' + interval '8 hours')::date
$$;
