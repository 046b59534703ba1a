-- Notifications. An outbox row (0003) says what happened and to whom in general (an audience, such as the
-- petitioner or the handling unit's handlers). The dispatcher expands it, in one transaction, into
-- deliveries: one per recipient and channel, with the address to use. Deliveries are then sent one by one,
-- at least once, with a stable idempotency key, retried with back-off, and parked as dead letters after
-- too many failures.

ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'expanded', 'delivered', 'dead'));

-- Systems told of every message of some topics (JSON POST, signed with the secret).
CREATE TABLE webhooks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  url         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 500),
  secret      text NOT NULL CHECK (length(secret) >= 16),
  topics      text[] NOT NULL DEFAULT '{}',    -- empty: every topic
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id        bigint NOT NULL REFERENCES outbox (id),
  recipient        text NOT NULL,               -- user:12, petitioner:34, webhook:5
  user_id          bigint REFERENCES users (id),
  channel          text NOT NULL CHECK (channel IN ('sms', 'email', 'webhook', 'in_app')),
  address          text,                        -- phone number, e-mail address or URL; none for in-app
  language         text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  topic            text NOT NULL,
  payload          jsonb NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),  -- also the lease of a claimed delivery
  last_error       text,
  sent_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (outbox_id, recipient, channel)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_deliveries_dead ON notification_deliveries (id DESC) WHERE state = 'dead';

-- The staff an audience names for a petition, never anyone in or under a unit the petition complains about.
CREATE FUNCTION audience_users(petition petitions, audience text) RETURNS SETOF users LANGUAGE sql STABLE AS $$
  WITH responsible AS (
    SELECT u.* FROM units u WHERE u.id = coalesce(petition.responsible_unit_id, petition.intake_unit_id)
  ), wanted AS (
    SELECT us.* FROM users us, responsible r
    WHERE us.active AND CASE audience
      WHEN 'handlers' THEN 'handler' = ANY (us.roles)
                           AND (us.unit_id = r.id OR us.unit_id = ANY (petition.co_unit_ids))
      WHEN 'parent_handlers' THEN 'handler' = ANY (us.roles) AND us.unit_id = r.parent_id
      WHEN 'managers' THEN 'manager' = ANY (us.roles) AND us.unit_id IN (r.id, r.parent_id)
      WHEN 'parent_managers' THEN 'manager' = ANY (us.roles) AND us.unit_id = r.parent_id
      WHEN 'district_managers' THEN 'manager' = ANY (us.roles)
                                    AND us.unit_id = (SELECT d.id FROM units d WHERE d.path = subltree(r.path, 0, 1))
      WHEN 'operators' THEN 'operator' = ANY (us.roles)
                            AND (us.id = petition.filed_by OR us.unit_id = petition.intake_unit_id)
      ELSE false END
  )
  SELECT w.* FROM wanted w JOIN units wu ON wu.id = w.unit_id
  WHERE NOT EXISTS (SELECT 1 FROM units c WHERE c.id = ANY (petition.complained_unit_ids) AND wu.path <@ c.path)
$$;

-- Expands up to `batch` pending outbox rows into deliveries; returns how many rows it expanded.
CREATE FUNCTION expand_outbox(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  message record;
  petition petitions;
  petitioner petitioners;
  expanded integer := 0;
BEGIN
  FOR message IN
    SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= now()
    ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED
  LOOP
    SELECT * INTO petition FROM petitions WHERE id = message.petition_id;
    IF message.audience = 'petitioner' THEN
      -- Petitioners hear by SMS at the number they left; an anonymous one who left none hears nothing.
      SELECT * INTO petitioner FROM petitioners WHERE id = petition.petitioner_id;
      IF petitioner.phone IS NOT NULL THEN
        INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, topic, payload)
        VALUES (message.id, 'petitioner:' || petitioner.id, 'sms', petitioner.phone, message.topic, message.payload)
        ON CONFLICT DO NOTHING;
      END IF;
    ELSE
      -- Staff: in the web app, and by SMS when the message is urgent (an escalation) and they have a phone.
      INSERT INTO notification_deliveries (outbox_id, recipient, user_id, channel, address, topic, payload)
      SELECT message.id, 'user:' || u.id, u.id, c.channel, CASE c.channel WHEN 'sms' THEN u.phone END,
             message.topic, message.payload
      FROM audience_users(petition, message.audience) u
      CROSS JOIN LATERAL (VALUES ('in_app'), ('sms')) AS c(channel)
      WHERE c.channel = 'in_app' OR (message.topic IN ('escalation', 'reminder') AND u.phone IS NOT NULL)
      ON CONFLICT DO NOTHING;
    END IF;
    -- Every subscribed system, once per message whatever its audience.
    INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, topic, payload)
    SELECT message.id, 'webhook:' || w.id, 'webhook', w.url, message.topic,
           message.payload || jsonb_build_object('audience', message.audience, 'petition_id', message.petition_id)
    FROM webhooks w WHERE w.active AND (w.topics = '{}' OR message.topic = ANY (w.topics))
    ON CONFLICT DO NOTHING;
    UPDATE outbox SET state = 'expanded', delivered_at = now() WHERE id = message.id;
    expanded := expanded + 1;
  END LOOP;
  RETURN expanded;
END $$;
