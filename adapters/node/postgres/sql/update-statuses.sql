-- updateStatuses: sets status, attempt and worker (and the result unless
-- null) of many tasks of instance $1 when $2 is its fencing token, joined on
-- the primary key. Arrays, one element per task: $3 seq, $4 status,
-- $5 attempt, $6 worker, $7 result (JSON text or null). Seqs not stored are
-- ignored. Comes back: the instance's token (no row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET
    status  = u.status,
    attempt = u.attempt,
    worker  = u.worker,
    result  = coalesce(u.result, t.result)
  FROM unnest($3::bigint[], $4::smallint[], $5::integer[], $6::text[], $7::text[])
    AS u(seq, status, attempt, worker, result)
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.seq = u.seq
)
SELECT fence FROM inst
