-- Fails the PULLED and RUNNING tasks of one worker with a result; worker
-- and attempt stay. Parameters: result, low id, high id, worker.
UPDATE tasks SET status = 5, result = ?
WHERE id BETWEEN ? AND ? AND worker = ? AND status IN (2, 3)
