-- updateInstance: patches instance $1 when $2 is its fencing token. A null
-- $3 status, $4 result (JSON text), $5 serial number, $8 progress (JSON
-- text), $9 failed count or $10 errors (JSON text) leaves the field;
-- finished_at becomes $7 when $6 is true, started_at $12 when $11 is,
-- retain_until $14 when $13 is.
-- The locked row's current token comes back (no row: unknown instance).
WITH cur AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR NO KEY UPDATE
), patched AS (
  UPDATE instances i SET
    status      = coalesce($3::text, i.status),
    result      = coalesce($4::text, i.result),
    serial_num  = coalesce($5::bigint, i.serial_num),
    finished_at = CASE WHEN $6::boolean THEN $7::bigint ELSE i.finished_at END,
    progress    = coalesce($8::text, i.progress),
    failed_count = coalesce($9::bigint, i.failed_count),
    errors       = coalesce($10::text, i.errors),
    started_at   = CASE WHEN $11::boolean THEN $12::bigint ELSE i.started_at END,
    retain_until = CASE WHEN $13::boolean THEN $14::bigint ELSE i.retain_until END
  FROM cur
  WHERE i.ikey = cur.ikey AND cur.fence = $2::float8
)
SELECT fence FROM cur
