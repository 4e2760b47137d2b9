-- Resume without failover: PULLED and RUNNING tasks fail with a result;
-- worker and attempt stay. Parameters: result, low id, high id.
UPDATE tasks SET status = 5, result = ?
WHERE id BETWEEN ? AND ? AND status IN (2, 3)
