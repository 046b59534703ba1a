-- "Overdue now" kept as counts instead of counted per report. Counting the overdue petitions of a district
-- (tens of thousands at 10 M petitions) with how long each is late took ~75 ms per report; the counts here
-- are a few rows per unit, like the rollups.
--
-- Each petition carries the lateness class it is counted under: 0 not overdue, 1 up to a day, 2 one to three
-- days, 3 three to seven, 4 more than seven. The deadline scheduler moves petitions whose class time has
-- changed (reclass_overdue); a changed deadline puts a petition back to 0 until the next pass; every change of
-- a counted petition (class, unit, category, channel, its unit's place in the tree) appends to
-- overdue_changes, and fold_overdue_changes adds those into overdue_tally for the unit and every ancestor,
-- per dimension, as fold_report_facts does for the facts. Reports therefore lag by at most one pass.

ALTER TABLE petitions ADD COLUMN overdue_class smallint NOT NULL DEFAULT 0 CHECK (overdue_class BETWEEN 0 AND 4);

-- The class of a petition `late` past its deadline (NULL or negative: not overdue).
CREATE FUNCTION overdue_class_of(late interval) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN late IS NULL OR late < interval '0' THEN 0 WHEN late <= interval '24 hours' THEN 1
               WHEN late <= interval '72 hours' THEN 2 WHEN late <= interval '168 hours' THEN 3 ELSE 4 END)::smallint
$$;

-- Finds the petitions whose class is behind (or, after the clock went back, ahead of) the time.
CREATE INDEX petitions_overdue_class ON petitions (overdue_class, due_at) WHERE due_at IS NOT NULL;
-- The counted petitions of a unit, oldest deadline first: the longest overdue of a scope when its oldest
-- petition stops being counted.
CREATE INDEX petitions_overdue_unit ON petitions (coalesce(responsible_unit_id, intake_unit_id), overdue_class, due_at)
  INCLUDE (category, channel) WHERE overdue_class > 0;

CREATE TABLE overdue_changes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_path  ltree NOT NULL,     -- the petition's unit (responsible, else intake) and where it sat then
  level      text NOT NULL,
  category   text NOT NULL,
  channel    text NOT NULL,
  class      smallint NOT NULL CHECK (class BETWEEN 1 AND 4),
  due_at     timestamptz NOT NULL,
  delta      smallint NOT NULL CHECK (delta IN (-1, 1))
);

CREATE TABLE overdue_tally (
  scope_unit_id  bigint NOT NULL,   -- the unit's whole subtree
  dimension      text NOT NULL CHECK (dimension IN ('all', 'level', 'category', 'channel')),
  value          text NOT NULL,     -- '' for 'all'
  class          smallint NOT NULL CHECK (class BETWEEN 1 AND 4),
  n              bigint NOT NULL,
  oldest_due     timestamptz,       -- the earliest deadline among them (NULL when n = 0)
  PRIMARY KEY (scope_unit_id, dimension, value, class)
);

-- A changed deadline is counted again from the next pass (the class follows the scheduler's clock).
CREATE FUNCTION petitions_overdue_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.overdue_class := 0;
  RETURN NEW;
END $$;
CREATE TRIGGER petitions_overdue_reset BEFORE UPDATE OF due_at ON petitions FOR EACH ROW
  WHEN (OLD.overdue_class > 0 AND NEW.due_at IS DISTINCT FROM OLD.due_at AND NEW.overdue_class = OLD.overdue_class)
  EXECUTE FUNCTION petitions_overdue_reset();

CREATE FUNCTION log_overdue_change(unit_id bigint, category text, channel text, class smallint, due_at timestamptz,
                                   delta smallint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO overdue_changes (unit_path, level, category, channel, class, due_at, delta)
  SELECT u.path, unit_level(u.path, u.kind), $2, $3, $4, $5, $6 FROM units u WHERE u.id = $1
$$;

CREATE FUNCTION petitions_overdue_log() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER petitions_overdue_log AFTER UPDATE ON petitions FOR EACH ROW
  WHEN ((OLD.overdue_class > 0 OR NEW.overdue_class > 0) AND
        (OLD.overdue_class, OLD.due_at, coalesce(OLD.responsible_unit_id, OLD.intake_unit_id), OLD.category, OLD.channel)
        IS DISTINCT FROM
        (NEW.overdue_class, NEW.due_at, coalesce(NEW.responsible_unit_id, NEW.intake_unit_id), NEW.category, NEW.channel))
  EXECUTE FUNCTION petitions_overdue_log();

-- A unit that moves (or changes kind) takes its counted petitions to its new ancestors and level (not
-- "UPDATE OF path": the path is set by a BEFORE trigger, which a column trigger does not see); its
-- descendants' paths are rewritten by the same cascade and each fires this in turn.
CREATE FUNCTION units_overdue_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO overdue_changes (unit_path, level, category, channel, class, due_at, delta)
  SELECT moved.path, moved.level, p.category, p.channel, p.overdue_class, p.due_at, moved.delta
  FROM petitions p
  CROSS JOIN (VALUES (OLD.path, unit_level(OLD.path, OLD.kind), -1::smallint),
                     (NEW.path, unit_level(NEW.path, NEW.kind), 1::smallint)) AS moved(path, level, delta)
  WHERE coalesce(p.responsible_unit_id, p.intake_unit_id) = NEW.id AND p.overdue_class > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER units_overdue_move AFTER UPDATE ON units FOR EACH ROW
  WHEN (OLD.path <> NEW.path OR OLD.kind <> NEW.kind) EXECUTE FUNCTION units_overdue_move();

-- Moves up to `batch` petitions whose class has changed by `now_at` into their class; returns how many.
CREATE FUNCTION reclass_overdue(now_at timestamptz, batch integer) RETURNS integer LANGUAGE sql AS $$
  WITH behind AS (
    SELECT id FROM petitions
    WHERE due_at IS NOT NULL AND (
      (overdue_class = 0 AND due_at <= now_at) OR
      (overdue_class = 1 AND (due_at < now_at - interval '24 hours' OR due_at > now_at)) OR
      (overdue_class = 2 AND (due_at < now_at - interval '72 hours' OR due_at >= now_at - interval '24 hours')) OR
      (overdue_class = 3 AND (due_at < now_at - interval '168 hours' OR due_at >= now_at - interval '72 hours')) OR
      (overdue_class = 4 AND due_at >= now_at - interval '168 hours'))
    LIMIT batch FOR UPDATE SKIP LOCKED
  ), moved AS (
    UPDATE petitions p SET overdue_class = overdue_class_of(now_at - p.due_at) FROM behind WHERE p.id = behind.id
    RETURNING 1
  )
  SELECT count(*)::integer FROM moved
$$;

-- The earliest deadline among the petitions counted in one tally row.
-- (Parameters by number: in a SQL function a column of the same name would win.)
CREATE FUNCTION overdue_oldest(scope_unit_id bigint, dimension text, value text, class smallint) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT min(first.due_at)
  FROM units s
  JOIN units u ON u.path <@ s.path AND ($2 <> 'level' OR unit_level(u.path, u.kind) = $3)
  CROSS JOIN LATERAL (
    SELECT p.due_at FROM petitions p
    WHERE coalesce(p.responsible_unit_id, p.intake_unit_id) = u.id AND p.overdue_class = $4
      AND ($2 <> 'category' OR p.category = $3) AND ($2 <> 'channel' OR p.channel = $3)
    ORDER BY p.due_at LIMIT 1) AS first
  WHERE s.id = $1
$$;

-- Adds up to `batch` logged changes into the tally; returns how many.
CREATE FUNCTION fold_overdue_changes(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  folded integer;
BEGIN
  -- One fold at a time (two would add into the same rows in different orders, and each reads the rows' oldest).
  IF NOT pg_try_advisory_xact_lock(hashtext('fold_overdue_changes')) THEN
    RETURN 0;
  END IF;
  WITH taken AS (
    DELETE FROM overdue_changes WHERE id IN (SELECT id FROM overdue_changes ORDER BY id LIMIT batch) RETURNING *
  ), expanded AS (
    SELECT s.scope, d.dimension, d.value, t.class, t.delta, t.due_at
    FROM taken t
    CROSS JOIN LATERAL unnest(string_to_array(ltree2text(t.unit_path), '.')::bigint[]) AS s(scope)
    CROSS JOIN LATERAL (VALUES ('all', ''), ('level', t.level), ('category', t.category), ('channel', t.channel))
      AS d(dimension, value)
  ), summed AS (
    SELECT scope, dimension, value, class, sum(delta)::bigint AS n,
           min(due_at) FILTER (WHERE delta > 0) AS added_oldest, min(due_at) FILTER (WHERE delta < 0) AS removed_oldest
    FROM expanded GROUP BY scope, dimension, value, class
  ), written AS (
    INSERT INTO overdue_tally AS o (scope_unit_id, dimension, value, class, n, oldest_due)
    SELECT x.scope, x.dimension, x.value, x.class, x.n,
           CASE WHEN coalesce(cur.n, 0) + x.n = 0 THEN NULL
                -- the oldest left: read again from the petitions
                WHEN x.removed_oldest <= cur.oldest_due THEN overdue_oldest(x.scope, x.dimension, x.value, x.class)
                ELSE least(cur.oldest_due, x.added_oldest) END
    FROM summed x
    LEFT JOIN overdue_tally cur
      ON (cur.scope_unit_id, cur.dimension, cur.value, cur.class) = (x.scope, x.dimension, x.value, x.class)
    ON CONFLICT (scope_unit_id, dimension, value, class) DO UPDATE SET n = o.n + excluded.n, oldest_due = excluded.oldest_due
    RETURNING 1
  )
  SELECT count(*) INTO folded FROM taken;
  RETURN folded;
END $$;
