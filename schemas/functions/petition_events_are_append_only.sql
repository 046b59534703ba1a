CREATE OR REPLACE FUNCTION petition_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'petition_events is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE TRIGGER petition_events_no_update BEFORE UPDATE OR DELETE ON petition_events
  FOR EACH ROW EXECUTE FUNCTION petition_events_are_append_only();
CREATE OR REPLACE TRIGGER petition_events_no_truncate BEFORE TRUNCATE ON petition_events
  FOR EACH STATEMENT EXECUTE FUNCTION petition_events_are_append_only();
