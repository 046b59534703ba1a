-- The class of a petition `late` past its deadline (NULL or negative: not overdue).
CREATE OR REPLACE FUNCTION overdue_class_of(late interval) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN late IS NULL OR late < interval '0' THEN 0 WHEN late <= interval '24 hours' THEN 1
               WHEN late <= interval '72 hours' THEN 2 WHEN late <= interval '168 hours' THEN 3 ELSE 4 END)::smallint
$$;
