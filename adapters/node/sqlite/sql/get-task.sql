-- Reads one task by its taskId. Parameters: inst, task_id.
SELECT id & 4294967295 AS seq, task_id, parent_id, name, body, status, attempt, worker, result
FROM tasks WHERE inst = ? AND task_id = ?
