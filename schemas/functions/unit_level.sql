-- The level a unit reports under: the district itself, its departments, towns/streets, villages/communities.
CREATE OR REPLACE FUNCTION unit_level(path ltree, kind text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN nlevel(path) = 1 THEN 'district' WHEN kind = 'department' THEN 'department'
              WHEN nlevel(path) = 2 THEN 'town' ELSE 'village' END
$$;
