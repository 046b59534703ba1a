-- Not a test. The condition a handler's worklist uses to find its unit's orders, those it co-handles and those
-- it handed down, planned over 300,000 petitions: with array containment (served by the GIN indexes of
-- 0002_levels.sql) and, for comparison in the same run, with the former `= ANY` (which no index serves).
-- Run against a fresh demo data directory (petitiond --demo --data-dir DIR), as the cluster's owner:
--   psql -h DIR/postgres/run -U petitiond -d petitiond -f bench/handler_worklist_plan.sql
\timing on
INSERT INTO petitioners (name, phone) VALUES ('测试', '13900000000');
INSERT INTO petitions (tracking_code, channel, workflow, workflow_version, type, category, urgency, subject, content, state,
  petitioner_id, intake_unit_id, responsible_unit_id, co_unit_ids, handed_down_from, received_at, updated_at, due_at)
SELECT '20261202-' || upper(lpad(to_hex(g), 6, '0')), 'hotline', 'petition', 2, 'help', 'other', 'normal', 's', 'c', 'handling',
  (SELECT max(id) FROM petitioners), (SELECT id FROM units WHERE code = 'QS-CL-RX'),
  (SELECT id FROM units WHERE code = 'QS-T' || lpad((1 + g % 42)::text, 2, '0')),
  CASE WHEN g % 1000 = 0 THEN ARRAY[(SELECT id FROM units WHERE code = 'QS-MZ')] ELSE '{}' END,
  CASE WHEN g % 500 = 0 THEN ARRAY[(SELECT id FROM units WHERE code = 'QS-T02')] ELSE '{}' END,
  now() - (g || ' minutes')::interval, now(), now() + (g || ' minutes')::interval
FROM generate_series(1, 300000) g;
ANALYZE petitions;
EXPLAIN ANALYZE SELECT id FROM petitions p WHERE (p.responsible_unit_id = (SELECT id FROM units WHERE code='QS-MZ') OR p.co_unit_ids @> ARRAY[(SELECT id FROM units WHERE code='QS-MZ')]::bigint[] OR p.handed_down_from @> ARRAY[(SELECT id FROM units WHERE code='QS-MZ')]::bigint[]) ORDER BY p.due_at, p.id LIMIT 51;
EXPLAIN ANALYZE SELECT id FROM petitions p WHERE (p.responsible_unit_id = (SELECT id FROM units WHERE code='QS-MZ') OR (SELECT id FROM units WHERE code='QS-MZ') = ANY (p.co_unit_ids) OR (SELECT id FROM units WHERE code='QS-MZ') = ANY (p.handed_down_from)) ORDER BY p.due_at, p.id LIMIT 51;
