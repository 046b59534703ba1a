-- The worklist's search box finds petitions by their petitioner's name (issue 22): an exact name, looked up
-- here, then the petitions by petitioner. Additive: an older binary ignores it.
CREATE INDEX petitioners_name ON petitioners (name) WHERE name IS NOT NULL;
