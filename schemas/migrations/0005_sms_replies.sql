-- Text messages petitioners send back through the SMS gateway (issue 21, docs/telephony.md "SMS replies"): a
-- reply to the satisfaction message is recorded as the callback; anything else waits for an operator.
CREATE TABLE sms_replies (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  gateway_id     text UNIQUE CHECK (length(gateway_id) BETWEEN 1 AND 200),  -- a retried report is one reply
  from_number    text NOT NULL CHECK (length(from_number) BETWEEN 1 AND 40),
  from_key       text,                                                      -- normalise_phone
  text           text NOT NULL CHECK (length(text) <= 1000),
  received_at    timestamptz NOT NULL,
  satisfaction   text,                       -- as read from the text, when it could be
  petition_ids   bigint[] NOT NULL DEFAULT '{}',  -- the petitions awaiting a callback that texted this number
  petition_id    bigint REFERENCES petitions (id),  -- the one the callback was recorded on
  -- received: not yet settled (a process stopped in between: an operator reads it); recorded: the callback;
  -- unrecognised: not an answer on the scale; no_petition: no callback awaited from this number; ambiguous:
  -- several are; not_recorded: the petition had moved on.
  outcome        text NOT NULL DEFAULT 'received'
                 CHECK (outcome IN ('received', 'recorded', 'unrecognised', 'no_petition', 'ambiguous', 'not_recorded')),
  handled_at     timestamptz,
  handled_by     bigint REFERENCES users (id)
);
-- Waiting for an operator: not recorded, or recorded but dissatisfied (the petitioner is asked why).
CREATE INDEX sms_replies_to_read ON sms_replies (received_at)
  WHERE handled_at IS NULL AND (outcome <> 'recorded' OR satisfaction IN ('dissatisfied', 'very_dissatisfied'));
