CREATE OR REPLACE FUNCTION queue_report_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_fact_queue (fact_id) SELECT id FROM new_facts;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER report_facts_queue AFTER INSERT ON report_facts
  REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION queue_report_facts();
