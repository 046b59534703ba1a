-- Working calendars edited in the app. A row sets one year of a calendar (its official rest days and
-- make-up working days), in place of what the calendar files give for that year. Every change takes a new
-- revision; the deadlines of running clocks are then recomputed by whichever process claims the work
-- (a lease, so that one that dies leaves it to another), and the row records the revision done.
CREATE SEQUENCE calendar_revisions;

CREATE TABLE calendar_years (
  calendar                text NOT NULL,
  year                    integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  rest_days               date[] NOT NULL,
  working_days            date[] NOT NULL,
  revision                bigint NOT NULL DEFAULT nextval('calendar_revisions'),
  changed_at              timestamptz NOT NULL,
  changed_by              text NOT NULL,
  recomputed_revision     bigint,       -- the revision whose deadlines have been recomputed
  recomputed_petitions    integer,      -- how many petitions' deadlines that moved
  recompute_lease_until   timestamptz,  -- a process recomputing holds the work until then
  PRIMARY KEY (calendar, year)
);
