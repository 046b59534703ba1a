-- Times in API answers: ISO 8601 in China Standard Time (the workflow's calendars use the same fixed +08:00).
CREATE OR REPLACE FUNCTION iso_local(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')
$$;
