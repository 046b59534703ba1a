-- Fails the transaction when a change found nothing to change, so that nothing else in it (its audit
-- row, say) is kept. Used as: WITH changed AS (UPDATE … RETURNING 1) SELECT expect_row(count(*) > 0, '…') FROM changed.
CREATE OR REPLACE FUNCTION expect_row(present boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT present THEN
    RAISE EXCEPTION '%', what USING ERRCODE = 'no_data_found';
  END IF;
END $$;
