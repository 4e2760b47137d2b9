-- getTask: task $2 of instance $1, or no row.
SELECT t.seq, t.task_id, t.parent_id, t.name, t.body, t.status, t.attempt, t.worker, t.result
FROM tasks t
WHERE t.ikey = (SELECT ikey FROM instances WHERE id = $1::text) AND t.task_id = $2::text
