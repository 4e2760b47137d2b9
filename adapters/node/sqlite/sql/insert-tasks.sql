-- Stores tasks as INIT, attempt 0, no worker, null result; a row whose id
-- (seq) or taskId is taken is skipped, so `changes` counts the rows stored.
-- The row after VALUES is repeated once per task.
-- Parameters per task: id, inst, task_id, parent_id, name, body, queued, updated_at.
-- failures, not_before and the error take their column defaults (0, NULL).
INSERT INTO tasks (id, inst, task_id, parent_id, name, body, status, attempt, worker, result, queued, updated_at)
VALUES /*repeat-list*/ (?, ?, ?, ?, ?, ?, 1, 0, NULL, NULL, ?, ?) /*end*/
ON CONFLICT DO NOTHING
