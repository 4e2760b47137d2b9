-- Reads up to `limit` claimable tasks (INIT and not queued), lowest seq
-- first, walking the primary key from the instance's claim_from. A row
-- stored before updated_at was kept reads the instance's created_at.
-- Parameters: num, from id, high id, limit.
SELECT id & 4294967295 AS seq, task_id, parent_id, name, body, status, attempt, worker, result,
  failures, not_before, error_message, error_stack, coalesce(updated_at, (SELECT created_at FROM instances WHERE num = ?))
FROM tasks
WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 0
ORDER BY id LIMIT ?
