-- Reads up to `limit` claimable tasks (INIT and not queued), lowest seq
-- first, walking the primary key from the instance's claim_from. Every row
-- read is INIT, so status is not read. The failure columns are not read
-- either, only whether a row has any (few do: claim-init-failures.sql reads
-- those), which keeps a claim of tasks that never failed as cheap as before
-- they existed. A row stored before updated_at was kept reads the
-- instance's created_at. Parameters: num, from id, high id, limit.
SELECT id & 4294967295 AS seq, task_id, parent_id, name, body, attempt, worker, result,
  coalesce(updated_at, (SELECT created_at FROM instances WHERE num = ?)),
  failures <> 0 OR not_before IS NOT NULL OR error_message IS NOT NULL
FROM tasks
WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 0
ORDER BY id LIMIT ?
