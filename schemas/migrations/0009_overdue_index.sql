-- "Overdue now" for the reports counts the petitions past their deadline per unit, category and channel:
-- the deadline index carries those columns, so the count is read from the index alone (tens of thousands
-- of overdue petitions took a random heap read each).
CREATE INDEX petitions_due_covering ON petitions (due_at, id)
  INCLUDE (responsible_unit_id, intake_unit_id, category, channel) WHERE due_at IS NOT NULL;
DROP INDEX petitions_due;
ALTER INDEX petitions_due_covering RENAME TO petitions_due;
