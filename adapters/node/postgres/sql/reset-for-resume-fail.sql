-- resetForResume without failover: PULLED and RUNNING tasks of instance $1
-- fail with result $3 (JSON text), worker and attempt kept; every queued INIT
-- task becomes claimable; when $2 is its fencing token. Comes back: the token.
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET
    status = CASE WHEN t.status = 1 THEN 1 ELSE 5 END,
    result = CASE WHEN t.status = 1 THEN t.result ELSE $3::text END,
    queued = CASE WHEN t.status = 1 THEN false ELSE t.queued END
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8)
    AND (t.status IN (2, 3) OR (t.status = 1 AND t.queued))
)
SELECT fence FROM inst
