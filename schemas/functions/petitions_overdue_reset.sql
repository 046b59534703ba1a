-- A changed deadline is counted again from the next pass (the class follows the scheduler's clock).
CREATE OR REPLACE FUNCTION petitions_overdue_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.overdue_class := 0;
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER petitions_overdue_reset BEFORE UPDATE OF due_at ON petitions FOR EACH ROW
  WHEN (OLD.overdue_class > 0 AND NEW.due_at IS DISTINCT FROM OLD.due_at AND NEW.overdue_class = OLD.overdue_class)
  EXECUTE FUNCTION petitions_overdue_reset();
