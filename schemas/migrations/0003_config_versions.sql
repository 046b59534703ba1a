-- Configuration an admin installs while the server runs (issue 20): workflow definitions, routing tables and
-- message templates, each kept as the YAML the admin gave, in numbered versions that are never changed or
-- deleted (a petition keeps the workflow version it started under). What is in force is the latest
-- activation of each (kind, name); with none, the definitions shipped in the binary.
CREATE TABLE config_versions (
  kind        text NOT NULL CHECK (kind IN ('workflow', 'routing', 'templates')),
  name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]*$'),  -- the workflow's name; 'default' otherwise
  version     integer NOT NULL CHECK (version > 0),
  source      text NOT NULL,
  origin      text NOT NULL CHECK (origin IN ('upload', 'file', 'import')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  bigint REFERENCES users (id),
  PRIMARY KEY (kind, name, version)
);

CREATE TABLE config_activations (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL,
  name          text NOT NULL,
  version       integer NOT NULL,  -- a shipped workflow version need not be a row of config_versions
  -- A workflow's migration: the running petitions of `from_version` moved to this version, state by state.
  migration     jsonb,
  activated_at  timestamptz NOT NULL DEFAULT now(),
  activated_by  bigint REFERENCES users (id)
);
CREATE INDEX config_activations_latest ON config_activations (kind, name, id DESC);

REVOKE UPDATE, DELETE, TRUNCATE ON config_versions, config_activations FROM PUBLIC;

-- The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR blocks); none by default.
INSERT INTO settings (key, value) VALUES ('http.trusted_proxies', '[]') ON CONFLICT (key) DO NOTHING;
