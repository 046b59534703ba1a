-- A five-year history for the report benchmark (bench/reports_bench.sh), generated inside PostgreSQL:
-- :count petitions spread evenly over the five years up to now, oldest first, and the report facts they
-- produced, inserted through the real tables (so the fact queue fills as it does in service). 1% of the
-- petitions are still open (half of them overdue). Of the rest: 3% not accepted; the others accepted,
-- dispatched to a random department, town or village, signed for (92% on time), 3% returned, 5%
-- extended; 13% replied late (reminded; 40% of those supervised and escalated a level), the others on
-- time, in 0.2–7 (late: 8–25) working days; 85% called back (five-level satisfaction), 2% redone.
\set ON_ERROR_STOP on
SELECT setseed(0.2026);
CREATE TEMP TABLE handling_units AS
  SELECT row_number() OVER (ORDER BY id) AS n, id FROM units WHERE nlevel(path) >= 2;
SELECT count(*) AS handling_unit_count FROM handling_units \gset
CREATE TEMP TABLE plan AS
SELECT r.*, h.id AS unit_id FROM (
SELECT i AS id, 1 + floor(random() * :handling_unit_count)::int AS unit_n,
       now() - make_interval(secs => (:years * 365 * 86400.0) * (:count - i) / :count) AS received,
       (ARRAY['minimum_living', 'subsidies', 'medical', 'pension', 'housing', 'accessibility', 'employment',
              'labour_dispute', 'rehabilitation', 'education', 'legal_aid', 'certificate', 'care_services',
              'other'])[1 + floor(random() * 14)::int] AS category,
       (ARRAY['hotline', 'hotline', 'hotline', 'web', 'walk_in', 'letter'])[1 + floor(random() * 6)::int] AS channel,
       random() < 0.01 AS is_open, random() AS r_repeat, random() AS r_refused, random() AS r_return,
       random() AS r_sign, random() AS r_extend, random() AS r_late, random() AS r_supervise, random() AS r_days,
       random() AS r_callback, random() AS r_satisfaction, random() AS r_redo,
       make_interval(hours => 1 + floor(random() * 30)::int) AS to_accept,
       make_interval(hours => 1 + floor(random() * 20)::int) AS to_dispatch,
       make_interval(hours => 1 + floor(random() * 30)::int) AS to_sign
FROM generate_series(1, :count) AS i) r JOIN handling_units h ON h.n = r.unit_n
ORDER BY r.id;

INSERT INTO petitions (id, tracking_code, channel, workflow, workflow_version, type, category, urgency, subject,
                       content, state, petitioner_id, intake_unit_id, responsible_unit_id, due_at, warn_at,
                       received_at, updated_at)
SELECT p.id, to_char(p.received AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(upper(to_hex(p.id % 16777216)), 6, '0'),
       p.channel, 'petition', 1, 'help', p.category, 'normal', '报表基准事项', '报表基准内容。',
       CASE WHEN p.is_open THEN 'handling' ELSE 'closed' END, :petitioner, :intake, p.unit_id,
       CASE WHEN p.is_open THEN now() + make_interval(hours => floor((p.r_days - 0.5) * 960)::int) END,
       CASE WHEN p.is_open THEN now() + make_interval(hours => floor((p.r_days - 0.5) * 960)::int) - interval '2 days' END,
       p.received, p.received
FROM plan p;
SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions));

CREATE TEMP TABLE fact_units AS SELECT id, path, unit_level(path, kind) AS level FROM units;
INSERT INTO report_facts (petition_id, at, day, unit_id, unit_path, level, category, channel, measure, on_time,
                          value, bucket)
SELECT p.id, f.at, local_date(f.at), u.id, u.path, u.level, p.category, p.channel, f.measure, f.on_time, f.value,
       f.bucket
FROM (SELECT plan.*, received + to_accept AS accepted_at, received + to_accept + to_dispatch AS dispatched_at,
             received + to_accept + to_dispatch + to_sign AS signed_at, r_late >= 0.87 AS late,
             round((CASE WHEN r_late >= 0.87 THEN 8 + r_days * 17 ELSE 0.2 + r_days * 6.8 END)::numeric, 3)::float8 AS days
      FROM plan) p
CROSS JOIN LATERAL (VALUES
  ('received', p.received, true, NULL::boolean, NULL::float8, true),
  ('repeat', p.received, true, NULL, NULL, p.r_repeat < 0.04),
  ('not_accepted', p.accepted_at, true, NULL, NULL, p.r_refused < 0.03),
  ('accepted', p.accepted_at, true, NULL, NULL, p.r_refused >= 0.03),
  ('dispatched', p.dispatched_at, false, NULL, NULL, p.r_refused >= 0.03),
  ('returned', p.dispatched_at + interval '2 hours', false, NULL, NULL, p.r_refused >= 0.03 AND p.r_return < 0.03),
  ('signed_for', p.signed_at, false, p.r_sign < 0.92, NULL, p.r_refused >= 0.03),
  ('extended', p.signed_at + interval '3 days', false, NULL, NULL, p.r_refused >= 0.03 AND NOT p.is_open AND p.r_extend < 0.05),
  ('reminded', p.signed_at + interval '8 days', false, NULL, NULL, p.r_refused >= 0.03 AND NOT p.is_open AND p.late),
  ('supervised', p.signed_at + interval '9 days', false, NULL, NULL,
   p.r_refused >= 0.03 AND NOT p.is_open AND p.late AND p.r_supervise < 0.4),
  ('escalated_up', p.signed_at + interval '9 days', false, NULL, NULL,
   p.r_refused >= 0.03 AND NOT p.is_open AND p.late AND p.r_supervise < 0.4),
  ('replied', p.signed_at + make_interval(secs => p.days * 1.4 * 86400), false, NOT p.late, p.days,
   p.r_refused >= 0.03 AND NOT p.is_open),
  ('satisfaction', p.signed_at + make_interval(secs => p.days * 1.4 * 86400) + interval '1 day', false, NULL,
   CASE WHEN p.r_satisfaction < 0.55 THEN 5 WHEN p.r_satisfaction < 0.80 THEN 4 WHEN p.r_satisfaction < 0.92 THEN 3
        WHEN p.r_satisfaction < 0.97 THEN 2 ELSE 1 END::float8,
   p.r_refused >= 0.03 AND NOT p.is_open AND p.r_callback < 0.85),
  ('redone', p.signed_at + make_interval(secs => p.days * 1.4 * 86400) + interval '2 days', false, NULL, NULL,
   p.r_refused >= 0.03 AND NOT p.is_open AND p.r_redo < 0.02)
) AS f0(measure, at, at_intake, on_time, value, keep)
CROSS JOIN LATERAL (SELECT CASE WHEN f0.measure <> 'escalated_up' THEN f0.measure
                                WHEN (SELECT level FROM fact_units WHERE id = p.unit_id) = 'village' THEN 'escalated_to_town'
                                ELSE 'escalated_to_district' END AS measure,
                           f0.at, f0.on_time, f0.value,
                           CASE WHEN f0.measure = 'replied' THEN
                             (SELECT count(*) FROM unnest('{0.5,1,2,3,4,5,7,10,15,20,30,45,60}'::float8[]) b
                              WHERE b < f0.value)::smallint END AS bucket) AS f
JOIN fact_units u ON u.id = CASE WHEN f0.at_intake THEN :intake ELSE p.unit_id END
WHERE f0.keep AND f.at <= now();
