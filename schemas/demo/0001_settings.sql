-- Demo settings. Every demo file is idempotent: --demo applies them all at each start.
-- The telephone system in the demo posts to /api/v1/cti/demo-cti-token.
INSERT INTO settings (key, value) VALUES ('cti.token', '"demo-cti-token"') ON CONFLICT (key) DO NOTHING;
-- Web-portal petitions, and those proxies file, are registered by the 12385 hotline centre, which accepts
-- and dispatches them.
INSERT INTO settings (key, value) VALUES ('portal.intake_unit', '"QS-CL-RX"')
ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = 'null';
-- Which demo unit plays each routing function (schemas/routing/default.yaml).
INSERT INTO settings (key, value) VALUES ('routing.functions', '{"federation": "QS-CL", "civil_affairs": "QS-MZ",
  "human_resources": "QS-RS", "education": "QS-JY", "health": "QS-WJ", "housing": "QS-ZJ", "medical_insurance": "QS-YB",
  "justice": "QS-SF", "legal_aid_centre": "QS-SF-FY", "transport": "QS-JT", "discipline": "QS-JW", "political_legal": "QS-ZF"}')
ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = '{}';
-- A department's reply (and the federation's) is reviewed by the district's petition office (domain.md §2a).
INSERT INTO settings (key, value) VALUES ('review.department_body', '"QS-XFJ"')
ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = 'null';
-- Complaints about the district itself go to the district's discipline inspection office.
INSERT INTO settings (key, value) VALUES ('oversight.unit', '"QS-JW"')
ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = 'null';
-- A complaint about the federation itself goes there too (domain.md §2a).
INSERT INTO settings (key, value) VALUES ('oversight.for', '["QS-CL"]')
ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value = '[]';
