-- Claims up to `limit` INIT tasks that are not queued, lowest seq first,
-- marking them queued (status stays INIT), and returns them (in any order).
-- Reads the partial index tasks_claimable.
-- Parameters: low id, high id, limit.
UPDATE tasks SET queued = 1
WHERE id IN (
  SELECT id FROM tasks
  WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 0
  ORDER BY id LIMIT ?
)
RETURNING id & 4294967295 AS seq, task_id, parent_id, name, body, status, attempt, worker, result
