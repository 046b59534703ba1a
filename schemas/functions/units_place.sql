-- The database keeps `path` right whoever writes: set from the parent on insert and on a move, and a
-- move carries the whole subtree along.
CREATE OR REPLACE FUNCTION units_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_path ltree;
  parent_kind text;
BEGIN
  IF NEW.parent_id IS NULL THEN
    IF NEW.kind <> 'area' THEN
      RAISE EXCEPTION 'a department must belong to a unit' USING ERRCODE = 'check_violation';
    END IF;
    NEW.path := text2ltree(NEW.id::text);
    RETURN NEW;
  END IF;
  SELECT path, kind INTO parent_path, parent_kind FROM units WHERE id = NEW.parent_id;
  IF TG_OP = 'UPDATE' AND parent_path <@ OLD.path THEN
    RAISE EXCEPTION 'a unit cannot move under itself or one of its sub-units' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.kind = 'area' AND parent_kind <> 'area' THEN
    RAISE EXCEPTION 'an area unit (town, village) must belong to an area unit' USING ERRCODE = 'check_violation';
  END IF;
  NEW.path := parent_path || text2ltree(NEW.id::text);
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER units_place BEFORE INSERT OR UPDATE OF parent_id ON units
  FOR EACH ROW EXECUTE FUNCTION units_place();
