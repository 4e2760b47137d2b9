-- Fails every unfinished task (INIT, PULLED, RUNNING) of an instance with a
-- result; worker and attempt stay (kill). Parameters: result, low id, high id.
UPDATE tasks SET status = 5, result = ?
WHERE id BETWEEN ? AND ? AND status IN (1, 2, 3)
