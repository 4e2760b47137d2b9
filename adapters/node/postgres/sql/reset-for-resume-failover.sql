-- resetForResume with failover: PULLED and RUNNING tasks of instance $1 go
-- back to INIT with attempt + 1, no worker and no backoff to wait (failures
-- and error stay); those and every queued INIT task become claimable; when
-- $2 is its fencing token. Comes back: the token.
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET
    status  = 1,
    attempt = CASE WHEN t.status = 1 THEN t.attempt ELSE t.attempt + 1 END,
    worker  = CASE WHEN t.status = 1 THEN t.worker END,
    not_before = CASE WHEN t.status = 1 THEN t.not_before END,
    queued  = false
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8)
    AND (t.status IN (2, 3) OR (t.status = 1 AND t.queued))
)
SELECT fence FROM inst
