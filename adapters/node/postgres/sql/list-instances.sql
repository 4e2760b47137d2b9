-- listInstances: newest first (createdAt, then creation order), only status $1
-- unless it is null, at most $2 rows (null: all).
SELECT id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances
WHERE $1::text IS NULL OR status = $1::text
ORDER BY created_at DESC, ikey DESC
LIMIT $2::bigint
