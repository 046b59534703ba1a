CREATE OR REPLACE FUNCTION report_facts_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'report_facts is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE TRIGGER report_facts_no_update BEFORE UPDATE OR DELETE ON report_facts
  FOR EACH ROW EXECUTE FUNCTION report_facts_are_append_only();
