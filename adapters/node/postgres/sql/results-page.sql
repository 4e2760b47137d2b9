-- results: the next $3 tasks of instance $1 after seq $2, in seq order (keyset paging).
SELECT seq, task_id, name, status, result, attempt, error_message, error_stack
FROM tasks
WHERE ikey = (SELECT ikey FROM instances WHERE id = $1::text) AND seq > $2::bigint
ORDER BY seq
LIMIT $3::bigint
