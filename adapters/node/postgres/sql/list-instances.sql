-- listInstances: newest first (createdAt, then creation order), only status $1
-- unless it is null, only processor $3 unless it is null, only those listed
-- after instance $4 unless it is null (A3: its position, whatever its status
-- now; none when it does not exist), at most $2 rows (null: all).
SELECT id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances
WHERE ($1::text IS NULL OR status = $1::text)
  AND ($3::text IS NULL OR processor = $3::text)
  AND ($4::text IS NULL OR (created_at, ikey) < (SELECT b.created_at, b.ikey FROM instances b WHERE b.id = $4::text))
ORDER BY created_at DESC, ikey DESC
LIMIT $2::bigint
