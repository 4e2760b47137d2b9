-- Reads the seq each of a list of task ids is stored under: insertTasks asks
-- for the tasks an insert skipped, to tell one stored under its own seq (by
-- an earlier attempt of the batch) from one stored under another seq (a
-- duplicate), and both from a new task whose seq another task holds (not
-- found). The ? of the IN list is repeated once per task id.
-- Parameters: inst, then the task ids.
SELECT task_id, id & 4294967295 AS seq
FROM tasks WHERE inst = ? AND task_id IN (/*repeat-list*/ ? /*end*/)
