-- updateStatuses: sets status, attempt and worker (and the result and
-- updated_at unless null) of many tasks of instance $1 when $2 is its
-- fencing token, joined on the primary key. Arrays, one element per task:
-- $3 seq, $4 status, $5 attempt, $6 worker, $7 result (JSON text or null),
-- $8 updated_at (or $8 null: none given). A batch giving failure fields goes
-- by update-statuses-failures.sql. Seqs not stored are ignored. Comes back:
-- the instance's token (no row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET
    status  = u.status,
    attempt = u.attempt,
    worker  = u.worker,
    result  = coalesce(u.result, t.result),
    updated_at = coalesce(u.updated_at, t.updated_at)
  FROM unnest($3::bigint[], $4::smallint[], $5::integer[], $6::text[], $7::text[], $8::bigint[])
    AS u(seq, status, attempt, worker, result, updated_at)
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.seq = u.seq
    AND t.seq BETWEEN (SELECT min(x) FROM unnest($3::bigint[]) x) AND (SELECT max(x) FROM unnest($3::bigint[]) x)
)
SELECT fence FROM inst
