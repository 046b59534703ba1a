CREATE OR REPLACE FUNCTION petitions_overdue_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.overdue_class > 0 THEN
    PERFORM log_overdue_change(coalesce(OLD.responsible_unit_id, OLD.intake_unit_id), OLD.category, OLD.channel,
                               OLD.overdue_class, OLD.due_at, -1::smallint);
  END IF;
  IF NEW.overdue_class > 0 THEN
    PERFORM log_overdue_change(coalesce(NEW.responsible_unit_id, NEW.intake_unit_id), NEW.category, NEW.channel,
                               NEW.overdue_class, NEW.due_at, 1::smallint);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER petitions_overdue_log AFTER UPDATE ON petitions FOR EACH ROW
  WHEN ((OLD.overdue_class > 0 OR NEW.overdue_class > 0) AND
        (OLD.overdue_class, OLD.due_at, coalesce(OLD.responsible_unit_id, OLD.intake_unit_id), OLD.category, OLD.channel)
        IS DISTINCT FROM
        (NEW.overdue_class, NEW.due_at, coalesce(NEW.responsible_unit_id, NEW.intake_unit_id), NEW.category, NEW.channel))
  EXECUTE FUNCTION petitions_overdue_log();
