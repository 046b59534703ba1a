-- Demo settings. Every demo file is idempotent: --demo applies them all at each start.
-- The telephone system in the demo posts to /api/v1/cti/demo-cti-token.
INSERT INTO settings (key, value) VALUES ('cti.token', '"demo-cti-token"') ON CONFLICT (key) DO NOTHING;
