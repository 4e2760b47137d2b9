-- resetWorkerTasks to INIT: the PULLED and RUNNING tasks of instance $1
-- handed to worker $3 go back to INIT, attempt + 1, no worker, no backoff
-- to wait, queued $4 (failures and error stay), when $2 is its fencing
-- token. Comes back: the token and how many changed.
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET status = 1, attempt = t.attempt + 1, worker = NULL, not_before = NULL, queued = $4::boolean
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.worker = $3::text AND t.status IN (2, 3)
  RETURNING 1
)
SELECT fence, (SELECT count(*) FROM updated)::integer AS changed FROM inst
