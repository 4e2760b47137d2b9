-- One page of listTasks: an instance's tasks after a given id, in seq order,
-- only one status and one name unless those are NULL, at most `limit`.
-- Walks the primary key (keyset paging, never OFFSET) and stops at the
-- limit; the filters are checked on the way. A row stored before
-- updated_at was kept reads the instance's created_at.
-- Parameters: num, from id, high id, status, status, name, name, limit.
SELECT id & 4294967295 AS seq, task_id, parent_id, name, body, status, attempt, worker, result,
  failures, not_before, error_message, error_stack, coalesce(updated_at, (SELECT created_at FROM instances WHERE num = ?))
FROM tasks
WHERE id BETWEEN ? AND ? AND (? IS NULL OR status = ?) AND (? IS NULL OR name = ?)
ORDER BY id LIMIT ?
