-- Who may never learn of a petition: anyone whose unit is, or lies under, a unit the petition complains
-- about (信访工作条例 Art 30, 46: accusation material is never passed to the accused). This is the one
-- definition; every path that lets information out asks it (petition reads and lists, reports' drill-downs
-- and their exports, caller histories pushed or fetched, notification audiences, the managers' digest).
-- A NULL viewer stands for "whoever listens" (a push to every operator): then any accusation is withheld.
-- The oversight unit (the `oversight.unit` setting: the discipline inspection office) handles complaints about
-- the units above it, so an accusation of a unit above it does not reach down to it; one naming it does.
CREATE OR REPLACE FUNCTION accuses(complained bigint[], viewer ltree) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT cardinality(complained) > 0
         AND (viewer IS NULL OR EXISTS (
           SELECT 1 FROM units c WHERE c.id = ANY (complained) AND viewer <@ c.path
             AND NOT EXISTS (SELECT 1 FROM units o
                             WHERE o.code = (SELECT value #>> '{}' FROM settings WHERE key = 'oversight.unit')
                               AND viewer <@ o.path AND o.path <@ c.path AND o.id <> c.id)))
$$;
