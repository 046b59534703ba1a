CREATE OR REPLACE FUNCTION units_move_subtree() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.path <> OLD.path THEN
    UPDATE units SET path = NEW.path || subpath(path, nlevel(OLD.path)), updated_at = now()
     WHERE path <@ OLD.path AND id <> NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER units_move_subtree AFTER UPDATE OF parent_id ON units
  FOR EACH ROW EXECUTE FUNCTION units_move_subtree();
