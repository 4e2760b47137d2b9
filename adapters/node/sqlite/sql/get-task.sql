-- Reads one task by its taskId; a row stored before updated_at was kept
-- reads the instance's created_at. Parameters: inst, task_id.
SELECT id & 4294967295 AS seq, task_id, parent_id, name, body, status, attempt, worker, result,
  failures, not_before, error_message, error_stack,
  coalesce(updated_at, (SELECT created_at FROM instances WHERE num = tasks.inst)) AS updated_at
FROM tasks WHERE inst = ? AND task_id = ?
