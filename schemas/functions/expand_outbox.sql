-- Expands up to `batch` pending outbox rows into deliveries; returns how many rows it expanded. `urgent`:
-- the topics that reach staff by SMS whatever their choices, and through their quiet hours.
CREATE OR REPLACE FUNCTION expand_outbox(batch integer, urgent text[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  message record;
  petition petitions;
  petitioner petitioners;
  channel text;
  address text;
  expanded integer := 0;
BEGIN
  FOR message IN
    SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= now()
    ORDER BY id LIMIT batch FOR UPDATE SKIP LOCKED
  LOOP
    SELECT * INTO petition FROM petitions WHERE id = message.petition_id;
    IF message.audience = 'petitioner' THEN
      -- The channel the petitioner chose, or the other address they left; nothing without consent, when
      -- they asked to be called instead, or when (anonymous) they left no contact.
      SELECT * INTO petitioner FROM petitioners WHERE id = petition.petitioner_id;
      channel := NULL;
      IF petitioner.contact_consent AND petitioner.preferred_channel IN ('sms', 'email') THEN
        IF petitioner.preferred_channel = 'email' AND petitioner.email IS NOT NULL THEN
          channel := 'email'; address := petitioner.email;
        ELSIF petitioner.phone IS NOT NULL THEN
          channel := 'sms'; address := petitioner.phone;
        ELSIF petitioner.email IS NOT NULL THEN
          channel := 'email'; address := petitioner.email;
        END IF;
      END IF;
      IF channel IS NOT NULL THEN
        INSERT INTO notification_deliveries (outbox_id, recipient, channel, address, language, topic, payload)
        VALUES (message.id, 'petitioner:' || petitioner.id, channel, address, petitioner.language, message.topic,
                message.payload)
        ON CONFLICT DO NOTHING;
      END IF;
    ELSE
      -- Staff: an audience of the petition, or one user (user:N, the daily digest). Each on the channels
      -- they chose, urgent messages by SMS too; non-urgent SMS and e-mail after their quiet hours.
      INSERT INTO notification_deliveries (outbox_id, recipient, user_id, channel, address, language, topic, payload,
                                           next_attempt_at)
      SELECT message.id, 'user:' || u.id, u.id, c.channel,
             CASE c.channel WHEN 'sms' THEN u.phone WHEN 'email' THEN u.email END, u.language, message.topic,
             CASE WHEN petition.id IS NULL THEN message.payload ELSE message.payload || staff_message_values(petition) END,
             CASE WHEN c.channel = 'in_app' OR message.topic = ANY (urgent) THEN now()
                  ELSE after_quiet_hours(now(), u.quiet_from, u.quiet_until) END
      FROM (SELECT * FROM audience_users(petition, message.audience) WHERE petition.id IS NOT NULL
            UNION ALL
            SELECT * FROM users WHERE message.audience = 'user:' || id AND active) u
      CROSS JOIN LATERAL (VALUES ('in_app'), ('sms'), ('email')) AS c(channel)
      WHERE CASE c.channel
        WHEN 'in_app' THEN 'in_app' = ANY (u.notify_channels)
        WHEN 'sms' THEN u.phone IS NOT NULL AND ('sms' = ANY (u.notify_channels) OR message.topic = ANY (urgent))
        ELSE u.email IS NOT NULL AND 'email' = ANY (u.notify_channels) END
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
