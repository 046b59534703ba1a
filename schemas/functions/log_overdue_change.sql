CREATE OR REPLACE FUNCTION log_overdue_change(unit_id bigint, category text, channel text, class smallint, due_at timestamptz,
                                   delta smallint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO overdue_changes (unit_path, level, category, channel, class, due_at, delta)
  SELECT u.path, unit_level(u.path, u.kind), $2, $3, $4, $5, $6 FROM units u WHERE u.id = $1
$$;
