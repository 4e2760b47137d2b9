-- Sets one status and worker on many tasks (the dispatch mark); attempt,
-- result and queued stay. The `?` in the IN list is repeated once per id.
-- Parameters: status, worker, then the task ids.
UPDATE tasks SET status = ?, worker = ? WHERE id IN (/*repeat-list*/ ? /*end*/)
