-- Sets status, attempt and worker of many tasks, keeping their results
-- (one group of a status-update batch). The `?` in the IN list is repeated
-- once per id. Parameters: status, attempt, worker, then the task ids.
UPDATE tasks SET status = ?, attempt = ?, worker = ? WHERE id IN (/*repeat-list*/ ? /*end*/)
