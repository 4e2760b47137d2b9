-- Reads up to `limit` claimable tasks (INIT and not queued), lowest seq
-- first, walking the primary key from the instance's claim_from.
-- Parameters: from id, high id, limit.
SELECT id & 4294967295 AS seq, task_id, parent_id, name, body, status, attempt, worker, result
FROM tasks
WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 0
ORDER BY id LIMIT ?
