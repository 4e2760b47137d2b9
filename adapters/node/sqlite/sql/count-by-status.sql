-- Counts an instance's tasks per name and status (rebuilds the counters);
-- only non-empty pairs come back. Parameters: low id, high id.
SELECT name, status, count(*) AS count FROM tasks
WHERE id BETWEEN ? AND ?
GROUP BY name, status ORDER BY name, status
