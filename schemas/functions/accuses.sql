-- Who may never learn of a petition: anyone whose unit is, or lies under, a unit the petition complains
-- about (信访工作条例 Art 30, 46: accusation material is never passed to the accused). This is the one
-- definition; every path that lets information out asks it (petition reads and lists, reports' drill-downs
-- and their exports, caller histories pushed or fetched, notification audiences, the managers' digest).
-- A NULL viewer stands for "whoever listens" (a push to every operator): then any accusation is withheld.
CREATE OR REPLACE FUNCTION accuses(complained bigint[], viewer ltree) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT cardinality(complained) > 0
         AND (viewer IS NULL OR EXISTS (SELECT 1 FROM units c WHERE c.id = ANY (complained) AND viewer <@ c.path))
$$;
