-- Sets status, attempt and worker of many tasks, updated_at unless it is
-- NULL, and a result for each (one group of a status-update batch); the WHEN
-- arm and the IN-list `?` are repeated once per task. Parameters: status,
-- attempt, worker, updated_at, then (id, result) per task, then the ids again.
UPDATE tasks SET status = ?, attempt = ?, worker = ?, updated_at = coalesce(?, updated_at),
  result = CASE id /*repeat*/ WHEN ? THEN ? /*end*/ ELSE result END
WHERE id IN (/*repeat-list*/ ? /*end*/)
