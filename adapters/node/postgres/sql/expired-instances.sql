-- expiredInstances: RUNNING instances whose lease ran out by $1 or that hold
-- none, oldest first (created_at, then creation order), at most $2 (NULL: all).
SELECT id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances
WHERE status = 'RUNNING' AND (lease_until IS NULL OR lease_until <= $1::bigint)
ORDER BY created_at, ikey
LIMIT $2::bigint
