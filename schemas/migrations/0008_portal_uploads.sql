-- A petitioner on the public portal attaches files to the petition just submitted, for an hour and up to
-- five files, with the token the submission answered with (issue 22). Only the token's digest is kept.
-- Additive: an older binary ignores it.
CREATE TABLE portal_uploads (
  token_hash  bytea PRIMARY KEY,
  petition_id bigint NOT NULL REFERENCES petitions (id),
  expires_at  timestamptz NOT NULL,
  files       integer NOT NULL DEFAULT 0 CHECK (files >= 0)
);
CREATE INDEX portal_uploads_expiry ON portal_uploads (expires_at);
