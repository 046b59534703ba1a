-- Runtime settings an admin changes without a restart (e.g. the telephone system's CTI token).
-- schema_migrations itself is created by the migration runner before any file is applied.
CREATE TABLE settings (
  key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]*$'),
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
