-- updateInstance: patches instance $1 when $2 is its fencing token. A null
-- $3 status, $4 result (JSON text), $5 serial number or $8 progress (JSON
-- text) leaves the field; finished_at becomes $7 when $6 is true.
-- The locked row's current token comes back (no row: unknown instance).
WITH cur AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR NO KEY UPDATE
), patched AS (
  UPDATE instances i SET
    status      = coalesce($3::text, i.status),
    result      = coalesce($4::text, i.result),
    serial_num  = coalesce($5::bigint, i.serial_num),
    finished_at = CASE WHEN $6::boolean THEN $7::bigint ELSE i.finished_at END,
    progress    = coalesce($8::text, i.progress)
  FROM cur
  WHERE i.ikey = cur.ikey AND cur.fence = $2::float8
)
SELECT fence FROM cur
