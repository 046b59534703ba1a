-- In-app messages kept as they were shown, for each user's list behind the bell (issue 22): the title and
-- text rendered when sent, and when the reader read it. Additive: an older binary ignores the columns.
ALTER TABLE notification_deliveries
  ADD COLUMN title   text,
  ADD COLUMN text    text,
  ADD COLUMN read_at timestamptz;
CREATE INDEX notification_deliveries_inbox ON notification_deliveries (user_id, id DESC)
  WHERE channel = 'in_app' AND state = 'sent';
CREATE INDEX notification_deliveries_unread ON notification_deliveries (user_id)
  WHERE channel = 'in_app' AND state = 'sent' AND read_at IS NULL;
