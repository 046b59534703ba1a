-- The body one level above a unit for a review (复查) of its reply, or a re-review of its review opinion: the
-- unit's own configured review body; for a department, the body the `review.department_body` setting names (the
-- district's petition office); otherwise its parent in the tree. NULL: nobody above it in this system.
CREATE OR REPLACE FUNCTION review_body(unit bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(u.review_unit_id,
                  CASE WHEN u.kind = 'department' THEN
                    (SELECT b.id FROM units b WHERE b.active AND b.id <> u.id AND b.code =
                       (SELECT value #>> '{}' FROM settings WHERE key = 'review.department_body'))
                  END,
                  u.parent_id)
  FROM units u WHERE u.id = unit
$$;
