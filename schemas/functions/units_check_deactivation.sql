-- A unit is deactivated only once nothing active hangs off it.
CREATE OR REPLACE FUNCTION units_check_deactivation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.active AND NOT NEW.active AND (
       EXISTS (SELECT 1 FROM units WHERE parent_id = NEW.id AND active)
    OR EXISTS (SELECT 1 FROM users WHERE unit_id = NEW.id AND active)) THEN
    RAISE EXCEPTION 'the unit still has active sub-units or users' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER units_check_deactivation BEFORE UPDATE OF active ON units
  FOR EACH ROW EXECUTE FUNCTION units_check_deactivation();
