-- getTask: task $2 of instance $1, or no row. A row stored before
-- updated_at was kept reads the instance's created_at.
SELECT t.seq, t.task_id, t.parent_id, t.name, t.body, t.status, t.attempt, t.worker, t.result,
  t.failures, t.not_before, t.error_message, t.error_stack,
  coalesce(t.updated_at, (SELECT created_at FROM instances WHERE id = $1::text)) AS updated_at
FROM tasks t
WHERE t.ikey = (SELECT ikey FROM instances WHERE id = $1::text) AND t.task_id = $2::text
