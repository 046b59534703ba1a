CREATE OR REPLACE FUNCTION mask_name(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN name IS NULL OR name = '' THEN NULL ELSE left(name, 1) || repeat('*', greatest(length(name) - 1, 1)) END
$$;
