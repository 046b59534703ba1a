-- A change to what the text index holds of a petition stamps the row with its transaction, for the index
-- follower (server/search/index_follower.hpp).
CREATE OR REPLACE FUNCTION petitions_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_xid := pg_current_xact_id();
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER petitions_search_changed BEFORE UPDATE OF subject, content, state, type, category, channel,
  urgency, intake_unit_id, responsible_unit_id, reviewing_unit_id, co_unit_ids, handed_down_from, filed_by,
  proxy_user_id ON petitions FOR EACH ROW
  WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.content IS DISTINCT FROM NEW.content
        OR OLD.state IS DISTINCT FROM NEW.state OR OLD.type IS DISTINCT FROM NEW.type
        OR OLD.category IS DISTINCT FROM NEW.category OR OLD.channel IS DISTINCT FROM NEW.channel
        OR OLD.urgency IS DISTINCT FROM NEW.urgency OR OLD.intake_unit_id IS DISTINCT FROM NEW.intake_unit_id
        OR OLD.responsible_unit_id IS DISTINCT FROM NEW.responsible_unit_id
        OR OLD.reviewing_unit_id IS DISTINCT FROM NEW.reviewing_unit_id OR OLD.co_unit_ids IS DISTINCT FROM NEW.co_unit_ids
        OR OLD.handed_down_from IS DISTINCT FROM NEW.handed_down_from OR OLD.filed_by IS DISTINCT FROM NEW.filed_by
        OR OLD.proxy_user_id IS DISTINCT FROM NEW.proxy_user_id)
  EXECUTE FUNCTION petitions_search_changed();
