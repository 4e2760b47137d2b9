-- retryFailed: every FAILED task of instance $1 back to INIT for another
-- run, when $2 is its fencing token: attempt + 1, failures 0, no backoff to
-- wait, no worker, null result, not queued (claimable); the last error
-- stays for inspection. Comes back: the token and how many changed.
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET status = 1, attempt = t.attempt + 1, failures = 0, not_before = NULL, worker = NULL, result = 'null', queued = false
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.status = 5
  RETURNING 1
)
SELECT fence, (SELECT count(*) FROM updated)::integer AS changed FROM inst
