-- The unit that registers (and counts, and lists) a petition taken in at `desk`: the desk itself, or when the
-- petition complains about the desk's unit or one above it, the nearest unit above the accused; when every unit
-- up to the top is accused, or the complaint names a unit the `oversight.for` setting lists (the federation
-- itself: domain.md §2a), the oversight unit (the `oversight.unit` setting). NULL: none may (refuse it).
CREATE OR REPLACE FUNCTION registering_desk(desk bigint, complained bigint[]) RETURNS bigint LANGUAGE sql STABLE AS $$
  WITH oversight AS (
    SELECT o.id FROM units o
    WHERE o.active AND o.code = (SELECT value #>> '{}' FROM settings WHERE key = 'oversight.unit')
      AND NOT accuses(complained, o.path)
  ), top AS (
    SELECT EXISTS (SELECT 1 FROM units c WHERE c.id = ANY (complained) AND c.code IN
                     (SELECT jsonb_array_elements_text(value) FROM settings
                      WHERE key = 'oversight.for' AND jsonb_typeof(value) = 'array')) AS named
  )
  SELECT CASE WHEN (SELECT named FROM top) AND EXISTS (SELECT 1 FROM oversight) THEN (SELECT id FROM oversight)
         ELSE coalesce(
           (SELECT u.id FROM units u, units d
            WHERE d.id = desk AND u.path @> d.path AND NOT accuses(complained, u.path)
            ORDER BY nlevel(u.path) DESC LIMIT 1),
           (SELECT id FROM oversight)) END
$$;
