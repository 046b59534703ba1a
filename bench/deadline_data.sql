-- For the deadline benchmark (bench/deadlines_bench.sh): :count open petitions being handled, each with a
-- running handling clock and one unfired escalation point (a reminder at its breach). :window of them fall
-- due evenly over :window_seconds from the epoch second :window_start, on whole seconds as the engine's
-- deadlines are; the rest between one and thirty days from now. Generated inside PostgreSQL, through the real tables and indexes.
\set ON_ERROR_STOP on
SELECT setseed(0.12385);
CREATE TEMP TABLE handling_units AS
  SELECT row_number() OVER (ORDER BY id) AS n, id FROM units WHERE nlevel(path) >= 2;
SELECT count(*) AS handling_unit_count FROM handling_units \gset
CREATE TEMP TABLE plan AS
SELECT r.id, h.id AS unit_id, r.due, now() - interval '3 days' AS received FROM (
  SELECT i AS id, 1 + floor(random() * :handling_unit_count)::int AS unit_n,
         CASE WHEN i <= :window THEN to_timestamp(:window_start + floor((i - 1) * :window_seconds::float8 / :window))
              ELSE now() + make_interval(secs => 86400 + random() * 29 * 86400) END AS due
  FROM generate_series(1, :count) AS i) r JOIN handling_units h ON h.n = r.unit_n
ORDER BY r.id;

INSERT INTO petitions (id, tracking_code, channel, workflow, workflow_version, type, category, urgency, subject,
                       content, state, petitioner_id, intake_unit_id, responsible_unit_id, due_at, warn_at,
                       received_at, accepted_at, dispatched_at, updated_at)
SELECT id, '20260101-' || lpad(upper(to_hex(id)), 6, '0'), 'hotline', 'petition', 1, 'help', 'subsidies', 'normal',
       '期限基准事项', '期限基准内容。', 'handling', :petitioner, :intake, unit_id, due, due - interval '1 day',
       received, received, received, received
FROM plan;
SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions));
INSERT INTO petition_clocks (petition_id, seq, name, started_at, unit, amount, deadline, warn_at)
SELECT id, 0, 'handling', received, 'working_days', 7, due, due - interval '1 day' FROM plan;
INSERT INTO escalation_points (petition_id, clock_seq, rule_index, clock, due_at, actions)
SELECT id, 0, 2, 'handling', due, '[["remind", "responsible"]]' FROM plan;
