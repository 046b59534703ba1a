-- The staff an audience names for a petition, never anyone in or under a unit the petition complains about.
CREATE OR REPLACE FUNCTION audience_users(petition petitions, audience text) RETURNS SETOF users LANGUAGE sql STABLE AS $$
  WITH responsible AS (
    SELECT u.* FROM units u WHERE u.id = coalesce(petition.responsible_unit_id, petition.intake_unit_id)
  ), wanted AS (
    SELECT us.* FROM users us, responsible r
    WHERE us.active AND CASE audience
      WHEN 'handlers' THEN 'handler' = ANY (us.roles)
                           AND (us.unit_id = r.id OR us.unit_id = ANY (petition.co_unit_ids))
      WHEN 'lead_handlers' THEN 'handler' = ANY (us.roles) AND us.unit_id = r.id
      WHEN 'parent_handlers' THEN 'handler' = ANY (us.roles) AND us.unit_id = r.parent_id
      WHEN 'managers' THEN 'manager' = ANY (us.roles) AND us.unit_id IN (r.id, r.parent_id)
      WHEN 'parent_managers' THEN 'manager' = ANY (us.roles) AND us.unit_id = r.parent_id
      -- The unit that handed the order down (分级交办): it supervises the unit below.
      WHEN 'upper' THEN ('handler' = ANY (us.roles) OR 'manager' = ANY (us.roles))
                        AND us.unit_id = petition.handed_down_from[cardinality(petition.handed_down_from)]
      -- The body deciding the petition's review or re-review.
      WHEN 'reviewers' THEN 'manager' = ANY (us.roles) AND us.unit_id = petition.reviewing_unit_id
      WHEN 'district_managers' THEN 'manager' = ANY (us.roles)
                                    AND us.unit_id = (SELECT d.id FROM units d WHERE d.path = subltree(r.path, 0, 1))
      WHEN 'operators' THEN 'operator' = ANY (us.roles)
                            AND (us.id = petition.filed_by OR us.unit_id = petition.intake_unit_id)
      -- co_unit:N: one co-handling unit's handlers (its part is late).
      ELSE audience = 'co_unit:' || us.unit_id AND 'handler' = ANY (us.roles)
             AND us.unit_id = ANY (petition.co_unit_ids) END
  )
  SELECT w.* FROM wanted w JOIN units wu ON wu.id = w.unit_id
  WHERE NOT accuses(petition.complained_unit_ids, wu.path)
$$;
