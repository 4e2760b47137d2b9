-- Sets one status and worker on many tasks (the dispatch mark), and
-- updated_at unless it is NULL; attempt, result, the failure columns and
-- queued stay. The `?` in the IN list is repeated once per id.
-- Parameters: status, worker, updated_at, then the task ids.
UPDATE tasks SET status = ?, worker = ?, updated_at = coalesce(?, updated_at) WHERE id IN (/*repeat-list*/ ? /*end*/)
