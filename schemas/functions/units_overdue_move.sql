-- A unit that moves (or changes kind) takes its counted petitions to its new ancestors and level (not
-- "UPDATE OF path": the path is set by a BEFORE trigger, which a column trigger does not see); its
-- descendants' paths are rewritten by the same cascade and each fires this in turn.
CREATE OR REPLACE FUNCTION units_overdue_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO overdue_changes (unit_path, level, category, channel, class, due_at, delta)
  SELECT moved.path, moved.level, p.category, p.channel, p.overdue_class, p.due_at, moved.delta
  FROM petitions p
  CROSS JOIN (VALUES (OLD.path, unit_level(OLD.path, OLD.kind), -1::smallint),
                     (NEW.path, unit_level(NEW.path, NEW.kind), 1::smallint)) AS moved(path, level, delta)
  WHERE coalesce(p.responsible_unit_id, p.intake_unit_id) = NEW.id AND p.overdue_class > 0;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER units_overdue_move AFTER UPDATE ON units FOR EACH ROW
  WHEN (OLD.path <> NEW.path OR OLD.kind <> NEW.kind) EXECUTE FUNCTION units_overdue_move();
