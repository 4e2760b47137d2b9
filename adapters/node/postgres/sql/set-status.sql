-- setStatus: status $3 and worker $4 (and updated_at $6 unless null) on the
-- tasks of instance $1 whose seq is in $5, when $2 is its fencing token (the
-- dispatch mark). Comes back: the instance's token (no row: unknown instance).
-- Joined on the primary key through unnest, as update-statuses.sql is: with
-- `seq = ANY ($5)` the generic plan, made while the table was nearly empty,
-- scanned every row of the instance through (ikey, task_id) and filtered on
-- seq — each mark cost more as the instance grew (bench/notes/e2e.md).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET status = $3::smallint, worker = $4::text, updated_at = coalesce($6::bigint, t.updated_at)
  FROM unnest($5::bigint[]) AS u(seq)
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.seq = u.seq
    AND t.seq BETWEEN (SELECT min(x) FROM unnest($5::bigint[]) x) AND (SELECT max(x) FROM unnest($5::bigint[]) x)
)
SELECT fence FROM inst
