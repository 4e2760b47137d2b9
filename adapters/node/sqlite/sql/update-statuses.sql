-- Sets status, attempt and worker of many tasks, and updated_at unless it
-- is NULL, keeping their results (one group of a status-update batch). The
-- `?` in the IN list is repeated once per id.
-- Parameters: status, attempt, worker, updated_at, then the task ids.
UPDATE tasks SET status = ?, attempt = ?, worker = ?, updated_at = coalesce(?, updated_at)
WHERE id IN (/*repeat-list*/ ? /*end*/)
