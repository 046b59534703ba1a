-- The hotline as telephone systems drive it (issue 21): call ids as long as Zammad documents (250), the
-- caller log's missed calls as Zammad derives them, and the callback list of missed calls not yet returned.
ALTER TABLE calls DROP CONSTRAINT calls_call_id_check;
ALTER TABLE calls ADD CONSTRAINT calls_call_id_check CHECK (length(call_id) BETWEEN 1 AND 250);
ALTER TABLE calls
  -- Answered by the voicemail (the answer named the user "voicemail"): missed all the same.
  ADD COLUMN voicemail         boolean NOT NULL DEFAULT false,
  -- Returned: by an outbound call to the number (callback_call_id) or marked by hand (called_back_by).
  ADD COLUMN called_back_at    timestamptz,
  ADD COLUMN called_back_by    bigint REFERENCES users (id),
  ADD COLUMN callback_call_id  text,
  -- Zammad's rule (Cti::Log.process): an inbound call that ended unanswered, unless it was forwarded, or that
  -- only the voicemail answered. A rejected (blocked) caller is not owed a callback.
  ADD COLUMN missed            boolean GENERATED ALWAYS AS (
    direction = 'in' AND ended_at IS NOT NULL AND NOT rejected
    AND ((answered_at IS NULL AND cause IS DISTINCT FROM 'forwarded') OR voicemail)) STORED;
CREATE INDEX calls_to_return ON calls (started_at) WHERE missed AND called_back_at IS NULL;
CREATE INDEX calls_missed_from ON calls (from_key) WHERE missed AND called_back_at IS NULL;
-- Operators on a call are not offered another.
CREATE INDEX calls_in_progress ON calls (answered_by) WHERE answered_at IS NOT NULL AND ended_at IS NULL;

-- A missed call counts as returned in time when called back within this many minutes (hotline KPI).
INSERT INTO settings (key, value) VALUES ('hotline.callback_within_minutes', '120') ON CONFLICT (key) DO NOTHING;

-- Open311: the jurisdiction_id clients may send (any other is unknown); none by default.
INSERT INTO settings (key, value) VALUES ('open311.jurisdiction_id', 'null') ON CONFLICT (key) DO NOTHING;
