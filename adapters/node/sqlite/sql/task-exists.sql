-- Tells whether a taskId is stored in an instance (why an insert was
-- skipped: an existing task, or a seq another task holds).
-- Parameters: inst, task_id.
SELECT 1 FROM tasks WHERE inst = ? AND task_id = ?
