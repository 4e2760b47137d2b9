-- listTasks: the next $5 tasks of instance $1 after seq $2, in seq order,
-- only status $3 and name $4 unless those are null. Walks the primary key
-- (ikey, seq) from $2 (keyset paging, never OFFSET) and stops at the limit;
-- the filters are checked on the way. A row stored before updated_at was
-- kept reads the instance's created_at.
SELECT seq, task_id, parent_id, name, body, status, attempt, worker, result,
  failures, not_before, error_message, error_stack,
  coalesce(updated_at, (SELECT created_at FROM instances WHERE id = $1::text)) AS updated_at
FROM tasks
WHERE ikey = (SELECT ikey FROM instances WHERE id = $1::text) AND seq > $2::bigint
  AND ($3::smallint IS NULL OR status = $3::smallint) AND ($4::text IS NULL OR name = $4::text)
ORDER BY seq
LIMIT $5::bigint
