-- insert-tasks for a batch some of whose tasks are stored already: the same
-- rows, skipped the same way, and it names the task ids it stored, so
-- insertTasks looks up the stored seq of the skipped tasks only.
-- Parameters per task: id, inst, task_id, parent_id, name, body, queued, updated_at.
-- failures, not_before and the error take their column defaults (0, NULL).
INSERT INTO tasks (id, inst, task_id, parent_id, name, body, status, attempt, worker, result, queued, updated_at)
VALUES /*repeat-list*/ (?, ?, ?, ?, ?, ?, 1, 0, NULL, NULL, ?, ?) /*end*/
ON CONFLICT DO NOTHING
RETURNING task_id
