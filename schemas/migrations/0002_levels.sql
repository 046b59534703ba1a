-- The procedure across levels (issue 19): an order handed down the tree (分级交办) remembers the units above
-- it; a clock may run within another's remaining time, and count hours around the clock (emergencies).
ALTER TABLE petitions ADD COLUMN handed_down_from bigint[] NOT NULL DEFAULT '{}';  -- outermost first
ALTER TABLE petition_clocks ADD COLUMN cap timestamptz;  -- never ends later: the order's deadline
ALTER TABLE petition_clocks DROP CONSTRAINT petition_clocks_unit_check;
ALTER TABLE petition_clocks ADD CONSTRAINT petition_clocks_unit_check
  CHECK (unit IN ('calendar_days', 'working_days', 'working_hours', 'hours'));
-- Review goes up (复查/复核): the body that decides a unit's review when it is not the unit's parent (for the
-- district's departments, by default the `review.department_body` setting); the body deciding a petition's
-- review or re-review now.
ALTER TABLE units ADD COLUMN review_unit_id bigint REFERENCES units (id);
ALTER TABLE petitions ADD COLUMN reviewing_unit_id bigint REFERENCES units (id);
INSERT INTO settings (key, value) VALUES ('review.department_body', 'null') ON CONFLICT (key) DO NOTHING;
-- Complaints about the top, or about a unit with nobody above it here, go to this unit (the discipline
-- inspection office); `transfer_out` sends a matter to a body outside the system.
INSERT INTO settings (key, value) VALUES ('oversight.unit', 'null') ON CONFLICT (key) DO NOTHING;
-- The area unit a department's local office serves (a town's legal-aid station, a village's contact point):
-- routing by the petitioner's place finds it.
ALTER TABLE units ADD COLUMN serves_unit_id bigint REFERENCES units (id);
-- Co-handling (协办): each co-handling unit's part of a petition, with its own limit; the lead unit sees the
-- contributions before it replies.
CREATE TABLE co_handling_parts (
  petition_id     bigint NOT NULL REFERENCES petitions (id),
  unit_id         bigint NOT NULL REFERENCES units (id),
  started_at      timestamptz NOT NULL,
  due_at          timestamptz,
  signed_at       timestamptz,
  signed_by       bigint REFERENCES users (id),
  contributed_at  timestamptz,
  contributed_by  bigint REFERENCES users (id),
  contribution    text CHECK (length(contribution) <= 10000),
  PRIMARY KEY (petition_id, unit_id)
);
-- Units a complaint about which goes straight to the oversight unit although a unit is above them here (the
-- federation itself, which runs this system).
INSERT INTO settings (key, value) VALUES ('oversight.for', '[]') ON CONFLICT (key) DO NOTHING;
-- A handler's worklist: orders of its unit, those it co-handles and those it handed down (array containment).
CREATE INDEX petitions_co_units ON petitions USING gin (co_unit_ids);
CREATE INDEX petitions_handed_down_from ON petitions USING gin (handed_down_from);
ALTER TABLE co_handling_parts ADD COLUMN reminded_at timestamptz;  -- told once that its part is late
CREATE INDEX co_handling_parts_due ON co_handling_parts (due_at) WHERE contributed_at IS NULL AND reminded_at IS NULL;
