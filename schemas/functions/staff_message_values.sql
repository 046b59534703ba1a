-- What staff messages say about the petition: its subject and the petitioner, masked.
CREATE OR REPLACE FUNCTION staff_message_values(petition petitions) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'subject', petition.subject,
    'petitioner', CASE WHEN petition.anonymous THEN '匿名' ELSE coalesce(mask_name(pr.name), '—') END)
  FROM (SELECT NULL) AS one LEFT JOIN petitioners pr ON pr.id = petition.petitioner_id
$$;
