-- The channels deliveries can go out on now: in-app and webhooks always, SMS once a gateway is set, e-mail
-- once an SMTP server is. Deliveries for any other wait, unattempted, until an admin sets it up, instead of
-- failing over and over.
CREATE OR REPLACE FUNCTION configured_channels() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY['in_app', 'webhook']
         || CASE WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'sms.gateway' AND jsonb_typeof(value->'url') = 'string')
                 THEN ARRAY['sms'] ELSE '{}' END
         || CASE WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'smtp' AND jsonb_typeof(value) = 'object')
                 THEN ARRAY['email'] ELSE '{}' END
$$;
