-- One page of an instance's tasks for reduce, in seq order, after a given
-- id (keyset paging: never OFFSET). Parameters: after id (exclusive),
-- high id, page size.
SELECT id & 4294967295 AS seq, task_id, name, status, result, attempt, error_message, error_stack FROM tasks
WHERE id > ? AND id <= ?
ORDER BY id LIMIT ?
