-- A deadline computed on a calendar set that an admin's change has replaced in the meantime must not be
-- written: the change's recompute may already have passed that petition by, and the old deadline would
-- stay. Each write that computes deadlines checks, in its transaction, that the calendars it used are still
-- the latest (the revision it loaded them at); a calendar change takes the same lock exclusively, so it
-- waits for the writes already checked (whose results its recompute then sees), and writes after it fail
-- the check and are computed again on the new calendars.
CREATE OR REPLACE FUNCTION calendars_unchanged_since(seen bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtext('calendar_years'));
  IF (SELECT coalesce(max(revision), 0) FROM calendar_years) <> seen THEN
    RAISE EXCEPTION 'the working calendars changed while the deadline was computed' USING ERRCODE = 'PC409';
  END IF;
END $$;
